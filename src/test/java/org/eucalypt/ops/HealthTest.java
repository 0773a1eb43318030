package org.eucalypt.ops;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import org.eucalypt.config.DatabaseUrl;
import org.eucalypt.db.Database;
import org.eucalypt.drain.DrainVerticle;
import org.eucalypt.support.ServerExtension;
import org.eucalypt.support.TestDatabase;
import org.eucalypt.support.TestServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * /health/live and /health/ready: ready only with a reachable, migrated database and a running
 * drain, and a 503 naming the failing check otherwise. Also: /metrics on a Vert.x without metrics.
 */
@ExtendWith(ServerExtension.class)
class HealthTest {
  private TestServer server;

  @BeforeEach
  void start(TestServer started) {
    server = started;
  }

  @Test
  void liveAnswersWhileTheProcessServes() {
    HttpResponse<Buffer> res = server.get("/health/live", null);
    assertEquals(200, res.statusCode());
    assertEquals("UP", res.bodyAsJsonObject().getString("status"));
  }

  @Test
  void readyNeedsTheDrainRunning() {
    // The harness starts no drain: not ready, and the body says which check failed.
    HttpResponse<Buffer> without = server.get("/health/ready", null);
    assertEquals(503, without.statusCode(), without.bodyAsString());
    JsonObject body = without.bodyAsJsonObject();
    assertEquals("DOWN", body.getString("status"));
    assertEquals(new JsonArray().add("drain"), body.getJsonArray("failing"));
    assertEquals("UP", check(body, "database").getString("status"));
    assertEquals("no drain runs in this process", check(body, "drain").getJsonObject("data").getString("reason"));

    String deployment = server.vertx.deployVerticle(
      new DrainVerticle(server.app.settings(), server.clock, server.app.blobs())).await();
    HttpResponse<Buffer> with = server.get("/health/ready", null);
    assertEquals(200, with.statusCode(), with.bodyAsString());
    JsonObject up = with.bodyAsJsonObject();
    assertEquals("UP", up.getString("status"));
    assertEquals(Migrations.latest(), check(up, "database").getJsonObject("data").getString("schema_version"));
    assertTrue(check(up, "drain").getJsonObject("data").getBoolean("running"));

    server.vertx.undeploy(deployment).await();
    assertEquals(503, server.get("/health/ready", null).statusCode());
  }

  @Test
  void readyNamesADatabaseThatIsNotMigrated() {
    TestDatabase empty = TestDatabase.fresh();
    Database.createIfMissing(server.vertx, DatabaseUrl.parse(empty.url())).await();
    try {
      JsonObject body = readyAgainst(url -> PgBuilder.pool()
        .connectingTo(Database.connectOptions(DatabaseUrl.parse(empty.url()))).using(server.vertx).build());
      assertTrue(body.getJsonArray("failing").contains("database"), body.encode());
      String reason = check(body, "database").getJsonObject("data").getString("reason");
      assertTrue(reason.startsWith("not migrated"), reason);
    } finally {
      empty.drop();
    }
  }

  @Test
  void readyNamesADatabaseThatCannotBeReached() {
    // Nothing listens on port 1.
    JsonObject body = readyAgainst(url -> PgBuilder.pool()
      .connectingTo(new PgConnectOptions().setHost("127.0.0.1").setPort(1).setDatabase("x").setUser("x"))
      .using(server.vertx).build());
    assertTrue(body.getJsonArray("failing").contains("database"), body.encode());
    assertTrue(check(body, "database").getJsonObject("data").getString("reason").startsWith("unreachable"));
  }

  @Test
  void metricsSayTheyAreOffOnAVertxBuiltWithoutThem() {
    HttpResponse<Buffer> res = server.get("/metrics", null);
    assertEquals(503, res.statusCode());
    assertTrue(res.bodyAsString().startsWith("metrics are off"));
  }

  /** The readiness check over another pool, served by a router of its own. */
  private JsonObject readyAgainst(Function<String, Pool> pool) {
    Pool p = pool.apply(null);
    Health health = new Health(server.vertx, p);
    Router router = Router.router(server.vertx);
    router.get("/ready").handler(health::ready);
    HttpServer http = server.vertx.createHttpServer().requestHandler(router).listen(0).await();
    WebClient client = WebClient.create(server.vertx);
    try {
      HttpResponse<Buffer> res = client.get(http.actualPort(), "localhost", "/ready").send().await();
      assertEquals(503, res.statusCode(), res.bodyAsString());
      return res.bodyAsJsonObject();
    } finally {
      client.close();
      http.close().await();
      p.close().await();
    }
  }

  private static JsonObject check(JsonObject body, String id) {
    for (Object c : body.getJsonArray("checks")) {
      if (id.equals(((JsonObject) c).getString("id"))) {
        return (JsonObject) c;
      }
    }
    throw new AssertionError("no check " + id + " in " + body.encode());
  }
}
