package org.eucalypt.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Tuple;
import org.eucalypt.support.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A read whose connection breaks under it (a backend terminated, as a failover or an operator's
 * pg_terminate_backend does) is run once more on a fresh connection: the client gets its answer,
 * not a 503.
 */
class ReadRetryTest {
  private Vertx vertx;
  private TestServer server;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    server = TestServer.start(vertx);
  }

  @AfterEach
  void stop() {
    server.stop();
    vertx.close().await();
  }

  @Test
  void aReadWhoseBackendIsTerminatedMidQueryIsRunOnceMore() {
    Reads reads = Database.reads(vertx, server.app.settings());
    AtomicInteger attempts = new AtomicInteger();
    Future<Integer> read = reads.run(client -> {
      attempts.incrementAndGet();
      return client.query("SELECT 7 AS n FROM pg_sleep(1)").execute().map(rows -> rows.iterator().next().getInteger("n"));
    });
    // Kill the backend running the first attempt, once it is running.
    await("the read is running").atMost(Duration.ofSeconds(10)).until(() -> server.count(
      "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'SELECT 7 AS n%'") == 1);
    long killed = server.sql("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS n FROM pg_stat_activity "
      + "WHERE datname = current_database() AND query LIKE 'SELECT 7 AS n%'").iterator().next().getLong("n");
    assertEquals(1, killed);
    assertEquals(7, read.await());
    assertEquals(2, attempts.get(), "the read ran once more");
  }

  @Test
  void aReadThatFailsForAnyOtherReasonIsNotRunAgain() {
    Reads reads = Database.reads(vertx, server.app.settings());
    AtomicInteger attempts = new AtomicInteger();
    Future<?> read = reads.run(client -> {
      attempts.incrementAndGet();
      return client.preparedQuery("SELECT 1 / $1 AS n").execute(Tuple.of(0));
    });
    assertTrue(assertThrowsOn(read).getMessage().contains("division by zero"));
    assertEquals(1, attempts.get());
  }

  private static Throwable assertThrowsOn(Future<?> f) {
    return org.junit.jupiter.api.Assertions.assertThrows(Exception.class, f::await);
  }
}
