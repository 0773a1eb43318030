package org.eucalypt.ops;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import org.eucalypt.drain.DrainMetrics;
import org.eucalypt.drain.DrainVerticle;
import org.eucalypt.support.TestServer;
import org.eucalypt.support.TestServer.User;
import org.eucalypt.library.LibraryService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.eucalypt.ops.OpsTesting.sample;
import static org.eucalypt.ops.OpsTesting.scrape;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GET /metrics on a Vert.x built with metrics, as the jar's serve command builds it: HTTP
 * requests by route template and status, the pool, the event bus, and the drain's own meters,
 * each seen to move when requests and purges happen.
 */
class MetricsTest {
  private Vertx vertx;
  private TestServer server;
  private User alice;

  @BeforeEach
  void start() {
    vertx = Metrics.vertx(new VertxOptions());
    server = TestServer.start(vertx);
    alice = server.newUser();
  }

  @AfterEach
  void stop() {
    server.stop();
    vertx.close().await();
  }

  @Test
  void requestsMoveTheHttpAndPoolMeters() {
    String before = scrape(server);
    String created = "code=\"201\",method=\"POST\",route=\"/api/libraries\"";
    double libraries = sample(before, "vertx_http_server_requests_total", created);
    double fetched = sample(before, "vertx_http_server_response_time_seconds_count",
      "code=\"200\",method=\"GET\",route=\"/api/libraries/:library_id\"");
    double pooled = sample(before, "vertx_pool_completed_total", "pool_name=\"eucalypt\",pool_type=\"sql\"");
    double read = sample(before, "vertx_pool_completed_total", "pool_name=\"eucalypt-reads\",pool_type=\"sql\"");

    String lib = server.createLibrary(alice, "One");
    server.createLibrary(alice, "Two");
    assertEquals(200, server.get("/api/libraries/" + lib, alice.key()).statusCode());
    assertEquals(404, server.get("/api/libraries/lib_2JZwZxWFHHBLGqfLByDAq3", alice.key()).statusCode());

    String after = scrape(server);
    assertEquals(libraries + 2, sample(after, "vertx_http_server_requests_total", created), after);
    // By route template, never by raw path: one series for every library id.
    assertEquals(fetched + 1, sample(after, "vertx_http_server_response_time_seconds_count",
      "code=\"200\",method=\"GET\",route=\"/api/libraries/:library_id\""));
    assertTrue(sample(after, "vertx_http_server_response_time_seconds_bucket",
      "code=\"404\",method=\"GET\",route=\"/api/libraries/:library_id\",le=\"+Inf\"") >= 1, after);
    assertFalse(after.contains(lib), "a library id leaked into a label");
    // The pool: its use and its waits.
    assertTrue(sample(after, "vertx_pool_completed_total", "pool_name=\"eucalypt\",pool_type=\"sql\"") > pooled);
    assertTrue(after.contains("vertx_pool_in_use{pool_name=\"eucalypt\",pool_type=\"sql\"}"), after);
    assertTrue(after.contains("vertx_pool_queue_time_seconds_bucket{pool_name=\"eucalypt\",pool_type=\"sql\",le=\"0.001\"}"));
    assertFalse(after.contains("postgresql://"), "the database URL (and any password in it) must not be exported");
    // Reads go through the pipelined client, named apart.
    assertTrue(sample(after, "vertx_pool_completed_total", "pool_name=\"eucalypt-reads\",pool_type=\"sql\"") > read, after);
    // The lifecycle services' doors on the event bus, for other services.
    assertTrue(sample(after, "vertx_eventbus_handlers", "address=\"" + LibraryService.ADDRESS + "\"") >= 1, after);
  }

  @Test
  void purgesMoveTheDrainMeters() {
    String restorable = server.createLibrary(alice, "Restorable");
    String doomed = server.createLibrary(alice, "Doomed");
    for (int i = 0; i < 3; i++) {
      server.uploadRandom(alice, doomed);
    }
    server.uploadRandom(alice, restorable);
    assertEquals(200, server.post("/api/libraries/" + restorable + "/trash", alice.key(), null).statusCode());
    assertEquals(200, server.post("/api/libraries/" + doomed + "/trash", alice.key(), null).statusCode());
    long startedAt = System.currentTimeMillis();

    // A timed drain, as the server runs it, reporting into this Vert.x's registry.
    var settings = server.app.settings().with("drain_interval", "PT0.02S").with("drain_batch_size", 2);
    String deployment = vertx.deployVerticle(new DrainVerticle(settings, server.clock, server.app.blobs(),
      DrainMetrics.of(Metrics.registry(vertx)))).await();
    try {
      // Both trashed, neither due yet.
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        String m = scrape(server);
        return sample(m, "eucalypt_drain_ticks_total", "result=\"ok\"") >= 1
          && sample(m, "eucalypt_drain_libraries_awaiting_purge", null) == 2;
      });
      String waiting = scrape(server);
      assertEquals(0, sample(waiting, "eucalypt_drain_libraries_due", null));
      assertEquals(0, sample(waiting, "eucalypt_drain_assets_purged_total", null));
      assertTrue(sample(waiting, "eucalypt_drain_last_tick_timestamp_seconds", null) * 1000 >= startedAt - 1000);

      assertEquals(200, server.call(HttpMethod.DELETE, "/api/libraries/" + doomed, alice.key(), null).statusCode());
      await().atMost(Duration.ofSeconds(30)).until(() ->
        sample(scrape(server), "eucalypt_drain_libraries_removed_total", null) == 1
          && sample(scrape(server), "eucalypt_drain_libraries_awaiting_purge", null) == 1);
    } finally {
      vertx.undeploy(deployment).await();
    }
    // The drain that owned the gauges is gone; a collection must not blank what they last said.
    System.gc();
    String done = scrape(server);
    assertEquals(3, sample(done, "eucalypt_drain_assets_purged_total", null), done);
    // Batches of two: two batches take the assets, the library row goes with the second.
    assertEquals(2, sample(done, "eucalypt_drain_batches_total", null));
    assertEquals(2, sample(done, "eucalypt_drain_batch_duration_seconds_count", null));
    assertEquals(2, sample(done, "eucalypt_drain_batch_duration_seconds_bucket", "le=\"+Inf\""));
    assertEquals(0, sample(done, "eucalypt_drain_libraries_due", null));
    assertEquals(0, sample(done, "eucalypt_drain_ticks_total", "result=\"failed\""));
    HttpResponse<Buffer> restorableNow = server.get("/api/libraries/" + restorable, alice.key());
    assertEquals(200, restorableNow.statusCode(), "the restorable library must be left alone");
  }
}
