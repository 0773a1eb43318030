package org.eucalypt.drain;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.eucalypt.support.ServerExtension;
import org.eucalypt.support.TestServer;
import org.eucalypt.support.TestServer.User;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The drain, driven batch by batch between API calls, with the invariants checked after every
 * step: the lifecycle end to end, the retention window, a partial restore, restores racing
 * batches, two drains at once, and the recovery of files a crash left listed.
 */
@ExtendWith(ServerExtension.class)
class DrainTest {
  // A server per test: each moves its own clock and expects the drain to see only its own work.
  private TestServer server;
  private User alice;

  @BeforeEach
  void start(TestServer started) {
    server = started;
    alice = server.newUser();
  }

  @Test
  void lifecycleEndToEnd() {
    String lib = server.createLibrary(alice, "Trip");
    Map<String, Buffer> bytes = uploadMany(lib, 5);
    String someAsset = bytes.keySet().iterator().next();

    trash(lib);
    assertEquals(404, server.get("/api/assets/" + someAsset, alice.key()).statusCode());
    assertEquals(404, server.get("/api/assets?library_id=" + lib, alice.key()).statusCode());
    assertEquals(200, server.get("/api/libraries/" + lib, alice.key()).statusCode());

    assertEquals(200, server.post("/api/libraries/" + lib + "/restore", alice.key(), null).statusCode());
    assertEquals(200, server.get("/api/assets/" + someAsset, alice.key()).statusCode());
    assertDownloadsExactly(lib, bytes);

    trash(lib);
    expedite(lib);
    Set<String> files = server.storedFiles();
    assertEquals(5, files.size());

    Drain drain = server.drain(2);
    List<Drain.Batch> batches = new ArrayList<>();
    Drain.Batch batch;
    do {
      batch = drain.runBatch().await();
      batches.add(batch);
      server.assertInvariants();
      if (!batch.libraryRemoved()) {
        JsonObject l = server.get("/api/libraries/" + lib, alice.key()).bodyAsJsonObject();
        long left = server.count("SELECT count(*) FROM assets WHERE library_id = (SELECT id FROM libraries LIMIT 1)");
        assertEquals(left, l.getLong("asset_count"));
      }
    } while (!batch.libraryRemoved());
    // Batches of 2, 2, then 1 with the library removed once empty.
    assertEquals(List.of(2, 2, 1), batches.stream().map(b -> b.purgedAssets().size()).toList());

    assertEquals(404, server.get("/api/libraries/" + lib, alice.key()).statusCode());
    assertEquals(404, server.post("/api/libraries/" + lib + "/restore", alice.key(), null).statusCode());
    assertTrue(server.storedFiles().isEmpty(), "files left behind: " + server.storedFiles());
    assertEquals(0, server.count("SELECT count(*) FROM blob_deletions"));
    assertEquals(0, server.count("SELECT count(*) FROM assets"));
    assertEquals(5, server.count("SELECT count(*) FROM events WHERE event_type = 'asset_deleted' AND entity_id = ANY($1)",
      (Object) bytes.keySet().toArray(String[]::new)));
    assertEquals(1, server.count("SELECT count(*) FROM events WHERE event_type = 'library_purged' AND entity_id = $1", lib));
    assertTrue(drain.runBatch().await().idle());
  }

  @Test
  void nothingIsPurgedBeforeTheRetentionWindowEnds() {
    String lib = server.createLibrary(alice, "Kept for now");
    uploadMany(lib, 3);
    String live = server.createLibrary(alice, "Live");
    uploadMany(live, 2);
    trash(lib);
    Drain drain = server.drain(10);

    assertTrue(drain.runBatch().await().idle());
    server.clock.advance(Duration.ofDays(89));
    assertTrue(drain.runBatch().await().idle());
    assertEquals(3, libraryJson(lib).getLong("asset_count"));

    server.clock.advance(Duration.ofDays(2));
    Drain.Batch batch = drain.runBatch().await();
    assertEquals(3, batch.purgedAssets().size());
    assertTrue(batch.libraryRemoved());
    assertTrue(drain.runBatch().await().idle());
    // The live library is never touched, however overdue everything else is.
    assertEquals(2, libraryJson(live).getLong("asset_count"));
    server.assertInvariants();
  }

  @Test
  void partialRestoreRecoversExactlyWhatIsLeft() {
    String lib = server.createLibrary(alice, "Half");
    Map<String, Buffer> bytes = uploadMany(lib, 10);
    long totalBytes = bytes.values().stream().mapToLong(Buffer::length).sum();
    trash(lib);
    expedite(lib);

    Drain drain = server.drain(3);
    Drain.Batch first = drain.runBatch().await();
    assertEquals(3, first.purgedAssets().size());
    server.assertInvariants();

    HttpResponse<Buffer> restored = server.post("/api/libraries/" + lib + "/restore", alice.key(), null);
    assertEquals(200, restored.statusCode());
    JsonObject l = restored.bodyAsJsonObject();
    assertEquals(7, l.getLong("asset_count"));

    Set<String> purged = new HashSet<>();
    first.purgedAssets().forEach(u -> purged.add(org.eucalypt.id.Ids.ASSET.format(u)));
    Map<String, Buffer> left = new HashMap<>(bytes);
    left.keySet().removeAll(purged);
    assertEquals(totalBytes - purged.stream().mapToLong(id -> bytes.get(id).length()).sum(),
      l.getLong("storage_used_bytes"));

    HttpResponse<Buffer> list = server.get("/api/assets?limit=200&library_id=" + lib, alice.key());
    assertEquals(200, list.statusCode());
    assertEquals(l.getLong("asset_count"), (long) list.bodyAsJsonObject().getJsonArray("data").size());
    assertDownloadsExactly(lib, left);

    // The drain leaves a restored library alone from then on.
    assertTrue(drain.runBatch().await().idle());
    server.clock.advance(Duration.ofDays(365));
    assertTrue(drain.runBatch().await().idle());
    assertEquals(7, libraryJson(lib).getLong("asset_count"));
    server.assertInvariants();
  }

  @Test
  void restoresRacingBatchesLoseNothing() {
    String lib = server.createLibrary(alice, "Contested");
    uploadMany(lib, 30);
    Drain drain = server.drain(2);
    for (int round = 0; round < 8; round++) {
      trash(lib);
      expedite(lib);
      // A batch and a restore at once: whichever takes the row lock first, the other sees its result.
      Future<Drain.Batch> batch = drain.runBatch();
      Future<HttpResponse<Buffer>> restore = server.client.post("/api/libraries/" + lib + "/restore")
        .bearerTokenAuthentication(alice.key()).send();
      Future.all(batch, restore).await();
      assertEquals(200, restore.result().statusCode());
      server.assertInvariants();
      long before = libraryJson(lib).getLong("asset_count");
      assertTrue(drain.runBatch().await().idle(), "the drain must not touch a restored library");
      assertEquals(before, libraryJson(lib).getLong("asset_count"));
      assertEquals(before, server.get("/api/assets?limit=200&library_id=" + lib, alice.key())
        .bodyAsJsonObject().getJsonArray("data").size());
    }
  }

  @Test
  void twoDrainsAtOncePurgeEachAssetExactlyOnce() {
    List<String> libs = new ArrayList<>();
    Set<String> assets = new HashSet<>();
    for (int i = 0; i < 3; i++) {
      String lib = server.createLibrary(alice, "Bulk " + i);
      assets.addAll(uploadMany(lib, 25).keySet());
      trash(lib);
      expedite(lib);
      libs.add(lib);
    }
    // Two timed drain verticles, each on its own event loop, competing for the same work.
    var settings = server.app.settings()
      .with("drain_interval", "PT0.02S").with("drain_batch_size", 4).with("drain_batches_per_tick", 2);
    String deployment = server.vertx.deployVerticle(
      () -> new DrainVerticle(settings, server.clock, server.app.blobs()),
      new DeploymentOptions().setInstances(2)).await();
    try {
      await().atMost(Duration.ofSeconds(60)).until(() ->
        server.count("SELECT count(*) FROM libraries WHERE id = ANY($1)", (Object) uuids(libs)) == 0
          && server.count("SELECT count(*) FROM blob_deletions") == 0);
    } finally {
      server.vertx.undeploy(deployment).await();
    }
    assertEquals(0, server.count("""
      SELECT count(*) FROM (SELECT entity_id FROM events WHERE event_type = 'asset_deleted' AND entity_id = ANY($1)
                             GROUP BY entity_id HAVING count(*) <> 1) twice""", (Object) assets.toArray(String[]::new)));
    assertEquals(75, server.count("SELECT count(*) FROM events WHERE event_type = 'asset_deleted' AND entity_id = ANY($1)",
      (Object) assets.toArray(String[]::new)));
    assertEquals(3, server.count("SELECT count(*) FROM events WHERE event_type = 'library_purged' AND entity_id = ANY($1)",
      (Object) libs.toArray(String[]::new)));
    server.assertInvariants();
    for (String asset : assets) {
      assertFalse(server.storedFiles().contains(asset));
    }
  }

  @Test
  void aBacklogDrainsWithoutWaitingAnIntervalBetweenFullTicks() {
    String lib = server.createLibrary(alice, "Backlog");
    uploadMany(lib, 25);
    trash(lib);
    expedite(lib);
    // One batch of 4 per tick and an hour between idle ticks: seven ticks are needed; the first
    // comes when the verticle starts, the others at once because each stopped at its quota.
    var settings = server.app.settings()
      .with("drain_interval", "PT1H").with("drain_batch_size", 4).with("drain_batches_per_tick", 1);
    DrainVerticle verticle = new DrainVerticle(settings, server.clock, server.app.blobs());
    String deployment = server.vertx.deployVerticle(verticle).await();
    try {
      await().atMost(Duration.ofSeconds(30)).until(() ->
        server.count("SELECT count(*) FROM libraries WHERE id = ANY($1)", (Object) uuids(List.of(lib))) == 0);
    } finally {
      server.vertx.undeploy(deployment).await();
    }
    server.assertInvariants();
  }

  @Test
  void filesLeftListedByACrashAreRemovedByTheNextSweep() throws Exception {
    // A drain that died after committing a batch leaves files listed for deletion and present.
    Path root = server.localBlobs().blobsRoot();
    String orphan = UUID.randomUUID().toString();
    Path orphanFile = server.localBlobs().path(orphan);
    Files.createDirectories(orphanFile.getParent());
    Files.write(orphanFile, new byte[] {1, 2, 3});
    String alreadyGone = UUID.randomUUID().toString();
    // An upload in flight lists its key far ahead: the sweep must leave it alone until then.
    String inFlight = UUID.randomUUID().toString();
    Path inFlightFile = server.localBlobs().path(inFlight);
    Files.createDirectories(inFlightFile.getParent());
    Files.write(inFlightFile, new byte[] {4, 5, 6});
    var now = java.time.OffsetDateTime.now(server.clock);
    server.sql("INSERT INTO blob_deletions (blob_key, not_before) VALUES ($1, $2), ($3, $2), ($4, $5)",
      orphan, now, alreadyGone, inFlight, now.plusHours(24));

    Drain drain = server.drain(10);
    assertTrue(drain.sweepDeletions(100).await() >= 2);
    assertFalse(Files.exists(orphanFile));
    assertTrue(Files.exists(inFlightFile));
    assertEquals(0, server.count("SELECT count(*) FROM blob_deletions WHERE blob_key IN ($1, $2)", orphan, alreadyGone));
    assertEquals(1, server.count("SELECT count(*) FROM blob_deletions WHERE blob_key = $1", inFlight));

    server.clock.advance(Duration.ofHours(25));
    drain.sweepDeletions(100).await();
    assertFalse(Files.exists(inFlightFile));
    assertEquals(0, server.count("SELECT count(*) FROM blob_deletions"));
    assertTrue(root.startsWith(server.storage));
  }

  private Map<String, Buffer> uploadMany(String lib, int n) {
    Map<String, Buffer> out = new HashMap<>();
    for (int i = 0; i < n; i++) {
      Buffer bytes = TestServer.randomBytes(1000 + i * 37);
      HttpResponse<Buffer> res = server.upload(alice, lib, "p" + i + ".jpg", bytes);
      assertEquals(201, res.statusCode(), res.bodyAsString());
      out.put(res.bodyAsJsonObject().getString("id"), bytes);
    }
    return out;
  }

  private void assertDownloadsExactly(String lib, Map<String, Buffer> expected) {
    JsonObject page = server.get("/api/assets?limit=200&include=variants&library_id=" + lib, alice.key())
      .bodyAsJsonObject();
    Set<String> seen = new HashSet<>();
    for (Object o : page.getJsonArray("data")) {
      JsonObject asset = (JsonObject) o;
      String url = asset.getJsonObject("asset_urls").getJsonObject("original").getString("url");
      HttpResponse<Buffer> file = server.client.getAbs(url).send().await();
      assertEquals(200, file.statusCode());
      assertArrayEquals(expected.get(asset.getString("id")).getBytes(), file.body().getBytes());
      seen.add(asset.getString("id"));
    }
    assertEquals(expected.keySet(), seen);
  }

  private JsonObject libraryJson(String lib) {
    HttpResponse<Buffer> res = server.get("/api/libraries/" + lib, alice.key());
    assertEquals(200, res.statusCode());
    return res.bodyAsJsonObject();
  }

  private void trash(String lib) {
    assertEquals(200, server.post("/api/libraries/" + lib + "/trash", alice.key(), null).statusCode());
  }

  private void expedite(String lib) {
    assertEquals(200, server.call(HttpMethod.DELETE, "/api/libraries/" + lib, alice.key(), null).statusCode());
  }

  private static UUID[] uuids(List<String> libs) {
    return libs.stream().map(l -> org.eucalypt.id.Ids.LIBRARY.parse(l).orElseThrow()).toArray(UUID[]::new);
  }
}
