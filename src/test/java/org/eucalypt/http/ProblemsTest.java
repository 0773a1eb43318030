package org.eucalypt.http;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.pgclient.PgException;
import org.eucalypt.bus.DomainException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What a failure no service translated answers: a transaction PostgreSQL rolled back whole for a
 * deadlock or a serialization failure is the client's to send again (409, which the SDKs may retry
 * on their own), not a server error; a conflict of state (409 too) is not to be retried.
 */
class ProblemsTest {
  private Vertx vertx;
  private WebClient client;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    Router router = Router.router(vertx);
    router.get("/deadlock").handler(ctx -> ctx.fail(new PgException("deadlock detected", "ERROR", "40P01", null)));
    router.get("/serialization").handler(ctx -> ctx.fail(
      new PgException("could not serialize access due to concurrent update", "ERROR", "40001", null)));
    router.get("/not-trashed").handler(ctx -> ctx.fail(DomainException.conflict("Library is not trashed; trash it first")));
    router.get("/other").handler(ctx -> ctx.fail(new PgException("division by zero", "ERROR", "22012", null)));
    router.route().failureHandler(Problems::handleFailure);
    HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0).await();
    client = WebClient.create(vertx, new io.vertx.ext.web.client.WebClientOptions().setDefaultPort(server.actualPort()));
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  @Test
  void aLostRaceAnswers409AndMayBeRetried() {
    for (String path : new String[] {"/deadlock", "/serialization"}) {
      HttpResponse<Buffer> res = client.get(path).send().await();
      assertEquals(409, res.statusCode(), path);
      assertEquals("A concurrent change came first; nothing was changed, retry the request",
        res.bodyAsJsonObject().getString("detail"));
      // Nothing was done, so the official SDKs may send it again on their own.
      assertEquals("true", res.getHeader("x-should-retry"), path);
    }
  }

  @Test
  void aConflictOfStateIsNotToBeRetried() {
    HttpResponse<Buffer> res = client.get("/not-trashed").send().await();
    assertEquals(409, res.statusCode());
    assertEquals("false", res.getHeader("x-should-retry"));
  }

  @Test
  void anyOtherDatabaseErrorIsStillAServerError() {
    HttpResponse<Buffer> res = client.get("/other").send().await();
    assertEquals(500, res.statusCode());
    assertEquals("Internal Server Error", res.bodyAsJsonObject().getString("detail"));
  }
}
