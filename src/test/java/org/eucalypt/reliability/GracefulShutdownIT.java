package org.eucalypt.reliability;

import io.vertx.core.json.JsonObject;
import org.eucalypt.reliability.support.JarFixture;
import org.eucalypt.reliability.support.JarProcess;
import org.eucalypt.support.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM to the packaged server while an upload is half sent and a drain batch is under way.
 *
 * <p>The batch is held open deterministically: the test locks the purged library's asset rows in a
 * transaction of its own, so the drain's DELETE waits inside its batch transaction. The upload is
 * sent by hand over a socket: headers and half the body before the SIGTERM, the rest only once
 * the listener is closed. Checked: readiness answers 503 within the grace (while the process still
 * serves), new connections are then refused, the half-sent upload completes with 201, the process
 * does not exit while the drain's batch is under way, and once the test lets the batch go, it
 * commits and the process exits 0; afterwards exactly one batch is gone, counters equal rows, no
 * file is left listed, and the store holds exactly the rows' files, the upload's among them.
 */
class GracefulShutdownIT {
  private static final int ASSETS = 12;
  private static final int BATCH = 5;
  private static final long GRACE_MS = 2_000;
  /** Fine enough to time readiness and the listener's close against the grace. */
  private static final Duration POLL = Duration.ofMillis(20);

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(5)).build();
  private TestDatabase database;
  private JarProcess server;
  private JarFixture db;
  private String key;

  @AfterEach
  void stop() {
    if (server != null && server.alive()) {
      server.kill9();
    }
    if (database != null) {
      database.drop();
    }
  }

  @Test
  void sigtermLetsTheUploadAndTheBatchUnderWayFinishThenExitsZero() throws Exception {
    database = TestDatabase.fresh();
    Path storage = Files.createTempDirectory("eucalypt-graceful-");
    Path log = Files.createTempFile("eucalypt-graceful-", ".log");
    System.out.println("GracefulShutdownIT server log: " + log);
    db = new JarFixture(database.url(), storage);
    Map<String, String> env = Map.of(
      "EUCALYPT_DATABASE_URL", database.url(),
      "EUCALYPT_STORAGE_DIR", storage.toString(),
      "EUCALYPT_HTTP_INSTANCES", "1",
      "EUCALYPT_DATABASE_POOL_SIZE", "4",
      "EUCALYPT_DRAIN_INTERVAL", "PT0.1S",
      "EUCALYPT_DRAIN_BATCH_SIZE", String.valueOf(BATCH),
      "EUCALYPT_DRAIN_BATCHES_PER_TICK", "1",
      "EUCALYPT_SHUTDOWN_GRACE", "PT" + GRACE_MS / 1000.0 + "S",
      "EUCALYPT_SHUTDOWN_TIMEOUT", "PT15S");
    key = JarFixture.createUser(env, "graceful@example.org", log);
    server = JarProcess.start(env, JarProcess.freePort(), log);

    Random random = new Random(42);
    String purged = createLibrary("purged");
    String kept = createLibrary("kept");
    for (int i = 0; i < ASSETS; i++) {
      byte[] content = new byte[1024];
      random.nextBytes(content);
      String boundary = "b" + random.nextLong();
      HttpResponse<String> res = http.send(HttpRequest.newBuilder(uri("/api/assets?library_id=" + purged))
        .header("Authorization", "Bearer " + key)
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofByteArray(JarFixture.multipart(boundary, "d" + i, content))).build(),
        HttpResponse.BodyHandlers.ofString());
      assertEquals(201, res.statusCode(), res.body());
    }

    try (Connection lock = db.connect()) {
      // The drain's batch will wait on these rows, inside its transaction.
      lock.setAutoCommit(false);
      try (Statement s = lock.createStatement()) {
        s.executeQuery("SELECT id FROM assets WHERE library_id = (SELECT id FROM libraries WHERE name = 'purged') FOR UPDATE")
          .close();
      }
      assertEquals(200, send("POST", "/api/libraries/" + purged + "/trash").statusCode());
      assertEquals(200, send("DELETE", "/api/libraries/" + purged).statusCode());
      await("the drain's batch to be waiting on the locked rows").atMost(Duration.ofSeconds(30)).pollInterval(POLL)
        .until(() -> db.count("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
          + " AND wait_event_type = 'Lock' AND query LIKE '%DELETE FROM assets%'") == 1);

      // An upload under way: headers and half its body now, the rest after the listener has closed.
      byte[] content = new byte[256 * 1024];
      random.nextBytes(content);
      byte[] body = JarFixture.multipart("inflight", "in-flight", content);
      int half = body.length / 2;
      try (Socket upload = new Socket("localhost", server.port())) {
        upload.setSoTimeout(30_000);
        OutputStream out = upload.getOutputStream();
        out.write(("POST /api/assets?library_id=" + kept + " HTTP/1.1\r\nHost: localhost\r\n"
          + "Authorization: Bearer " + key + "\r\nContent-Type: multipart/form-data; boundary=inflight\r\n"
          + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body, 0, half);
        out.flush();
        await("the upload to be staging").atMost(Duration.ofSeconds(10)).pollInterval(POLL)
          .until(() -> stagedFiles(storage) > 0);

        long termAt = System.nanoTime();
        server.sigterm();
        await("readiness to answer 503").atMost(Duration.ofSeconds(5)).pollInterval(POLL)
          .until(() -> server.status("/health/ready") == 503);
        long notReadyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - termAt);
        assertTrue(notReadyMs < GRACE_MS, "readiness went 503 only after " + notReadyMs + " ms");
        // Still serving during the grace: a load balancer that has not noticed yet loses nothing.
        assertEquals(200, server.status("/health/live"), "the server stopped serving within the grace");

        await("the listener to close").atMost(Duration.ofSeconds(20)).pollInterval(POLL)
          .until(() -> server.status("/health/live") == -1);
        long closedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - termAt);
        assertTrue(closedMs >= GRACE_MS - 100, "the listener closed after " + closedMs + " ms, before the grace");
        assertTrue(server.alive(), "the process exited with an upload under way");

        out.write(body, half, body.length - half);
        out.flush();
        String reply = readResponse(upload.getInputStream());
        assertTrue(reply.startsWith("HTTP/1.1 201"), "the in-flight upload answered " + reply);
        System.out.println("GracefulShutdownIT: readiness 503 after " + notReadyMs + " ms, listener closed after "
          + closedMs + " ms, in-flight upload answered 201");
      }
      // The drain's batch still waits on the test's lock: the process must still be there.
      assertNull(server.awaitExit(1), "the process exited while its drain batch was under way");
      lock.rollback();
    }

    Integer code = server.awaitExit(30);
    assertNotNull(code, "the process did not exit within 30 s of the batch's end; see " + log);
    assertEquals(0, code, "exit code after SIGTERM; see " + log);

    // Exactly the one batch under way committed, and its files are gone (none left listed).
    assertEquals(ASSETS - BATCH, db.count("SELECT asset_count FROM libraries WHERE name = 'purged'"));
    assertEquals(ASSETS - BATCH, db.count("SELECT count(*) FROM assets a JOIN libraries l ON l.id = a.library_id"
      + " WHERE l.name = 'purged'"));
    assertEquals(1, db.count("SELECT count(*) FROM assets a JOIN libraries l ON l.id = a.library_id"
      + " WHERE l.name = 'kept' AND a.device_asset_id = 'in-flight'"));
    assertEquals(0, db.count("SELECT count(*) FROM blob_deletions"), "files left listed after a graceful stop");
    db.assertInvariants("after the graceful stop");
    assertEquals(db.strings("SELECT blob_key FROM assets"), db.filesInStore(), "files in the store and rows differ");
    assertEquals(0, stagedFiles(storage), "a staged upload was left behind");
  }

  /** The status line and headers and the body of a Content-Length response, as text. */
  private static String readResponse(InputStream in) throws Exception {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        return head.length() == 0 ? "(connection closed without a response)" : head.toString();
      }
      head.append((char) b);
    }
    int length = 0;
    for (String line : head.toString().split("\r\n")) {
      if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    byte[] body = in.readNBytes(length);
    return head + new String(body, StandardCharsets.UTF_8);
  }

  private static long stagedFiles(Path storage) throws Exception {
    Path staging = storage.resolve("staging");
    if (!Files.exists(staging)) {
      return 0;
    }
    try (var s = Files.walk(staging)) {
      return s.filter(Files::isRegularFile).count();
    }
  }

  private URI uri(String path) {
    return URI.create("http://localhost:" + server.port() + path);
  }

  private HttpResponse<String> send(String method, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + key)
      .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
  }

  private String createLibrary(String name) throws Exception {
    HttpResponse<String> res = http.send(HttpRequest.newBuilder(uri("/api/libraries"))
      .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
      .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("name", name).encode())).build(),
      HttpResponse.BodyHandlers.ofString());
    assertEquals(201, res.statusCode(), res.body());
    return new JsonObject(res.body()).getString("id");
  }
}
