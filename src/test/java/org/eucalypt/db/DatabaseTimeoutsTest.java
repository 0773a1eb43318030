package org.eucalypt.db;

import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import org.eucalypt.config.Settings;
import org.eucalypt.config.SettingsLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A "database" that takes the TCP connection (the kernel's backlog does) and then never says a
 * word, as a host behind a firewall that drops packets would: a query must fail within the pool's
 * acquire timeout, and answer 503, rather than wait for ever.
 */
class DatabaseTimeoutsTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void aSilentDatabaseFailsTheQueryWithin5SecondsAs503() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50)) {
      Settings settings = SettingsLoader.load(vertx).await()
        .with("database_url", "postgresql://127.0.0.1:" + silent.getLocalPort() + "/silent");
      Pool pool = Database.pool(vertx, settings);
      long t0 = System.nanoTime();
      ExecutionException e = assertThrows(ExecutionException.class, () -> pool.query("SELECT 1").execute()
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS));
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertTrue(millis >= Database.ACQUIRE_TIMEOUT_S * 1000 - 500 && millis < Database.ACQUIRE_TIMEOUT_S * 1000 + 3000,
        "failed after " + millis + " ms: " + e.getCause());
      assertTrue(Database.unavailable(e.getCause()), "answered 503 as unavailable: " + e.getCause());
    }
  }

  @Test
  void aSilentDatabaseFailsAPipelinedReadWithinTheSameBound() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50)) {
      Settings settings = SettingsLoader.load(vertx).await()
        .with("database_url", "postgresql://127.0.0.1:" + silent.getLocalPort() + "/silent");
      Reads reads = Database.reads(vertx, settings);
      long t0 = System.nanoTime();
      ExecutionException e = assertThrows(ExecutionException.class, () -> reads.run(client -> client.query("SELECT 1")
        .execute()).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS));
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertTrue(millis < Database.ACQUIRE_TIMEOUT_S * 1000 + 3000, "failed after " + millis + " ms: " + e.getCause());
      assertTrue(Database.unavailable(e.getCause()), "answered 503 as unavailable: " + e.getCause());
    }
  }
}
