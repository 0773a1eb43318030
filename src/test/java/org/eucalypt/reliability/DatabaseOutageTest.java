package org.eucalypt.reliability;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.serviceproxy.ServiceProxyBuilder;
import org.eucalypt.bus.BusDoor;
import org.eucalypt.bus.DomainException;
import org.eucalypt.library.LibraryService;
import org.eucalypt.reliability.support.ScratchPostgres;
import org.eucalypt.support.TestServer;
import org.eucalypt.support.TestServer.User;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PostgreSQL goes away under a running server (a scratch cluster of the test's own, stopped with
 * pg_ctl; the shared one is never touched). Meanwhile requests that need it answer 503
 * {@code {"detail": ...}} with a Retry-After, promptly, instead of hanging; when it is back, the
 * same server answers again without a restart, and nothing was left half-done. Services on the
 * event bus get the domain's {@code UNAVAILABLE} for the same outage.
 */
@ExtendWith(VertxExtension.class)
class DatabaseOutageTest {
  private ScratchPostgres pg;
  private TestServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.stopInstance();
    }
    if (pg != null) {
      pg.close();
    }
  }

  @Test
  void requestsFailFastWhileTheDatabaseIsDownAndRecoverWhenItIsBack(Vertx vertx) throws Exception {
    pg = ScratchPostgres.create();
    String url = pg.serverUrl() + "/eucalypt_outage";
    server = TestServer.start(vertx, s -> s.with("database_url", url));
    User alice = server.newUser();
    String lib = server.createLibrary(alice, "before");
    server.uploadRandom(alice, lib);

    pg.stop();
    // The key is cached, so requests get past authentication to the database, and fail there.
    for (int i = 0; i < 5; i++) {
      long t0 = System.nanoTime();
      HttpResponse<Buffer> res = i % 2 == 0
        ? server.get("/api/libraries", alice.key())
        : server.post("/api/libraries/" + lib + "/trash", alice.key(), null);
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertEquals(503, res.statusCode(), res.bodyAsString());
      assertNotNull(res.bodyAsJsonObject().getString("detail"));
      assertNotNull(res.getHeader("retry-after"), "no Retry-After");
      assertTrue(millis < 10_000, "a request waited " + millis + " ms for a database that is down");
    }

    // Over the event bus, the same outage is the domain's UNAVAILABLE, not an anonymous failure.
    LibraryService libraries = new ServiceProxyBuilder(server.vertx).setAddress(LibraryService.ADDRESS)
      .setOptions(new DeliveryOptions().addHeader(BusDoor.AUTHORIZATION, "Bearer " + alice.key()))
      .build(LibraryService.class);
    for (Future<?> call : List.of(libraries.listLibraries(null, null), libraries.trashLibrary(null, lib))) {
      ReplyException failure = assertThrows(ReplyException.class, call::await);
      assertEquals(DomainException.Kind.UNAVAILABLE, DomainException.kindOf(failure), failure.getMessage());
    }

    pg.start();
    await("the server answering again once the database is back").atMost(Duration.ofSeconds(30))
      .until(() -> server.get("/api/libraries", alice.key()).statusCode() == 200);
    // The trash attempted during the outage did not happen; the library is as it was.
    assertEquals(null, server.get("/api/libraries/" + lib, alice.key()).bodyAsJsonObject().getValue("trashed_at"));
    assertEquals(201, server.upload(alice, lib, "after.jpg", TestServer.randomBytes(1024)).statusCode());
    server.assertInvariants();
  }
}
