package org.eucalypt.rendition;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.eucalypt.drain.Drain;
import org.eucalypt.id.Ids;
import org.eucalypt.support.TestServer;
import org.eucalypt.support.TestServer.User;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The queue on real PostgreSQL, real files and the real local blob store: tasks run to their
 * end, claims are leases another worker takes over, retries are bounded, and no rendition file
 * outlives its asset, whichever way the asset goes and whenever it goes.
 */
@ExtendWith(VertxExtension.class)
class RenditionQueueTest {
  private static final RenditionLimits LIMITS = new RenditionLimits(1, Duration.ofSeconds(30), 200_000_000L);
  private static final Duration LEASE = RenditionWorker.lease(LIMITS);

  private TestServer server;
  private User alice;
  private String lib;
  private WorkerExecutor executor;

  @TempDir
  Path dir;

  @BeforeAll
  static void tools() {
    Fixtures.requireTools("vips", "vipsheader", "ffmpeg", "ffprobe");
  }

  @BeforeEach
  void start(Vertx vertx) {
    server = TestServer.start(vertx);
    alice = server.newUser();
    lib = server.createLibrary(alice, "Photos");
    executor = vertx.createSharedWorkerExecutor("test-renditions", 2);
  }

  @AfterEach
  void stop() {
    executor.close();
    server.stop();
  }

  private RenditionWorker worker() {
    return worker(RenditionWorker.Interleaving.NONE);
  }

  private RenditionWorker worker(RenditionWorker.Interleaving interleaving) {
    return new RenditionWorker(server.vertx, server.app.pool(), server.app.blobs(), executor, server.clock, LIMITS,
      interleaving);
  }

  private OffsetDateTime now() {
    return OffsetDateTime.now(server.clock).withOffsetSameInstant(ZoneOffset.UTC);
  }

  /** Uploads the file through the API, whose transaction queues the asset's tasks. */
  private UUID upload(Path file, String mimeType) throws Exception {
    HttpResponse<Buffer> res = server.upload(alice, lib, file.getFileName().toString(), Buffer.buffer(Files.readAllBytes(file)));
    assertEquals(201, res.statusCode(), res.bodyAsString());
    UUID asset = Ids.ASSET.parse(res.bodyAsJsonObject().getString("id")).orElseThrow();
    assertEquals(TaskType.forMimeType(mimeType).size(),
      server.count("SELECT count(*) FROM tasks WHERE asset_id = $1 AND status = 'pending'", asset), "queued by the upload");
    return asset;
  }

  /** A distinct photo each time (the same bytes twice would be one asset). */
  private Path photo() throws Exception {
    return Fixtures.write(dir.resolve("photo-" + UUID.randomUUID() + ".jpg"), Fixtures.distinctQuadrants(1600, 1200), "jpeg");
  }

  private Row task(UUID asset, String type) {
    return server.sql("SELECT * FROM tasks WHERE asset_id = $1 AND task_type = $2", asset, type).iterator().next();
  }

  private Set<String> renditionKeys(UUID asset) {
    Set<String> keys = new HashSet<>();
    server.sql("SELECT blob_key FROM renditions WHERE asset_id = $1", asset).forEach(r -> keys.add(r.getString(0)));
    return keys;
  }

  /** Files in the store made for this asset: rendition keys start with the asset's id and a dash. */
  private Set<String> renditionFiles(UUID asset) {
    Set<String> files = new HashSet<>();
    server.storedFiles().stream().filter(f -> f.startsWith(asset + "-")).forEach(files::add);
    return files;
  }

  private void assertNothingLeftOf(UUID asset) {
    assertEquals(0, server.count("SELECT count(*) FROM renditions WHERE asset_id = $1", asset));
    // Deleted right after the commit, with the original: no sweep needed.
    assertEquals(Set.of(), renditionFiles(asset), "no rendition file outlives its asset");
    assertEquals(0, server.count("SELECT count(*) FROM blob_deletions"), "nothing left for the sweep");
    server.assertInvariants();
  }

  @Test
  void anImageTaskMakesItsRenditionsThumbhashAndMetadata() throws Exception {
    Path jpg = photo();
    Fixtures.requireTools("exiftool");
    Fixtures.run(dir, "exiftool", "-q", "-overwrite_original", "-Make=Canon", "-GPSLatitude=48.8584",
      "-GPSLatitudeRef=N", "-GPSLongitude=2.2945", "-GPSLongitudeRef=E", jpg.toString());
    UUID asset = upload(jpg, "image/jpeg");

    assertTrue(worker().runOne().await());
    Row t = task(asset, "display_proxy_generation");
    assertEquals("success", t.getString("status"));
    assertEquals(1, t.getInteger("attempts"));
    assertNotNull(t.getOffsetDateTime("completed_at"));
    assertEquals("made preview, small, thumbnail", t.getString("result"));

    Set<String> variants = new HashSet<>();
    server.sql("SELECT * FROM renditions WHERE asset_id = $1", asset).forEach(r -> {
      variants.add(r.getString("variant"));
      if (r.getString("variant").equals("preview")) {
        assertEquals("image/jpeg", r.getString("mime_type"));
        assertEquals(1440, r.getInteger("width"));
        assertEquals(1080, r.getInteger("height"));
      }
    });
    assertEquals(Set.of("thumbnail", "small", "preview"), variants, "a JPEG is its own full size");
    assertEquals(renditionKeys(asset), renditionFiles(asset), "every rendition row has its file");
    assertNotNull(server.sql("SELECT thumbhash FROM assets WHERE id = $1", asset).iterator().next().getString(0));
    JsonObject metadata = (JsonObject) server.sql("SELECT data FROM asset_metadata WHERE asset_id = $1", asset)
      .iterator().next().getValue(0);
    assertEquals("Canon", metadata.getString("make"));
    assertEquals(48.8584, metadata.getDouble("latitude"), 1e-4);
    assertEquals(0, server.count("SELECT count(*) FROM blob_deletions"), "every stored file was recorded");

    assertFalse(worker().runOne().await(), "nothing left to do");
    server.assertInvariants();
  }

  @Test
  void aVideoGetsItsStillVariantsDurationAndFrameRate() throws Exception {
    UUID asset = upload(Fixtures.video(dir), "video/mp4");
    assertTrue(worker().runOne().await());
    assertTrue(worker().runOne().await());
    assertEquals("success", task(asset, "video_metadata_extract").getString("status"));
    assertEquals("success", task(asset, "video_thumbnail_extract").getString("status"));
    Set<String> variants = new HashSet<>();
    server.sql("SELECT variant FROM renditions WHERE asset_id = $1", asset).forEach(r -> variants.add(r.getString(0)));
    assertEquals(Set.of("thumbnail_image", "small_image", "preview_image", "fullsize_image"), variants);
    Row a = server.sql("SELECT duration, thumbhash FROM assets WHERE id = $1", asset).iterator().next();
    assertEquals(2.0, a.getDouble("duration"), 0.05);
    assertNotNull(a.getString("thumbhash"));
    JsonObject metadata = (JsonObject) server.sql("SELECT data FROM asset_metadata WHERE asset_id = $1", asset)
      .iterator().next().getValue(0);
    assertEquals(25.0, metadata.getDouble("fps"), 0.001);
    server.assertInvariants();
  }

  @Test
  void aBrokenFileFailsItsOwnTaskOnlyAndClearly() throws Exception {
    UUID truncated = upload(Fixtures.truncatedJpeg(dir), "image/jpeg");
    UUID bomb = upload(Fixtures.pixelBomb(dir, 30_000), "image/png");
    UUID fine = upload(photo(), "image/jpeg");
    for (int i = 0; i < 3; i++) {
      assertTrue(worker().runOne().await());
    }
    Row t = task(truncated, "display_proxy_generation");
    assertEquals("failure", t.getString("status"), "the file's own fault: no retry");
    assertEquals(1, t.getInteger("attempts"));
    assertTrue(t.getString("error_message").contains("Premature end"), t.getString("error_message"));
    Row b = task(bomb, "display_proxy_generation");
    assertEquals("failure", b.getString("status"));
    assertTrue(b.getString("error_message").contains("over the limit"), b.getString("error_message"));
    assertEquals("success", task(fine, "display_proxy_generation").getString("status"));
    assertEquals(Set.of(), renditionFiles(truncated));
    assertEquals(Set.of(), renditionFiles(bomb));
    // The server still serves the broken files' originals.
    assertEquals(200, server.get("/api/assets/" + Ids.ASSET.format(truncated), alice.key()).statusCode());
    server.assertInvariants();
  }

  @Test
  void aDeadWorkersClaimIsTakenOverWhenItsLeaseRunsOut() throws Exception {
    UUID asset = upload(photo(), "image/jpeg");
    // A worker that claimed the task and died: the claim is all it left.
    OffsetDateTime now = now();
    assertEquals(1, server.sql(TaskSql.CLAIM, now, now.plus(LEASE), RenditionWorker.MAX_ATTEMPTS).size());
    assertFalse(worker().runOne().await(), "leased: nobody else takes it");

    server.clock.advance(LEASE.plusSeconds(1));
    assertTrue(worker().runOne().await());
    Row t = task(asset, "display_proxy_generation");
    assertEquals("success", t.getString("status"));
    assertEquals(2, t.getInteger("attempts"), "the takeover is the second attempt (retry_count 1)");
    assertEquals(3, renditionKeys(asset).size());
    server.assertInvariants();
  }

  @Test
  void aWorkerWhoseLeaseWasTakenOverRecordsNothingAndLeavesNoFile() throws Exception {
    UUID asset = upload(photo(), "image/jpeg");
    // The slow worker has stored its files when its lease runs out and a second worker does it all.
    RenditionWorker slow = worker(new RenditionWorker.Interleaving() {
      @Override
      public Future<Void> afterStored(UUID a) {
        server.clock.advance(LEASE.plusSeconds(1));
        return worker().runOne().map(found -> {
          assertTrue(found);
          return null;
        });
      }
    });
    assertTrue(slow.runOne().await());
    Row t = task(asset, "display_proxy_generation");
    assertEquals("success", t.getString("status"));
    assertEquals(2, t.getInteger("attempts"), "the second worker's success stands");
    Set<String> recorded = renditionKeys(asset);
    assertEquals(3, recorded.size());
    assertEquals(recorded, renditionFiles(asset), "the slow worker's own files are gone, the recorded ones stay");
    assertEquals(0, server.count("SELECT count(*) FROM blob_deletions"));
    server.assertInvariants();
  }

  @Test
  void aWorkerThatDiesAfterStoringLeavesItsFilesToTheSweepAndItsTaskToAnother() throws Exception {
    UUID asset = upload(photo(), "image/jpeg");
    Promise<Void> stored = Promise.promise();
    // Dies between storing its files and recording them: it never takes another step.
    RenditionWorker dying = worker(new RenditionWorker.Interleaving() {
      @Override
      public Future<Void> afterStored(UUID a) {
        stored.complete();
        return Promise.<Void>promise().future();
      }
    });
    Future<Boolean> neverEnds = dying.runOne();
    stored.future().await();
    Set<String> orphans = renditionFiles(asset);
    assertEquals(3, orphans.size());
    assertEquals(3, server.count("SELECT count(*) FROM blob_deletions WHERE blob_key LIKE $1", asset + "-%"),
      "stored, but listed: never forgotten");
    server.assertInvariants();

    server.clock.advance(LEASE.plusSeconds(1));
    assertTrue(worker().runOne().await(), "another worker takes the task over");
    assertEquals("success", task(asset, "display_proxy_generation").getString("status"));
    server.clock.advance(RenditionWorker.INTENT_TTL);
    server.drain(100).sweepDeletions(1000).await();
    assertEquals(renditionKeys(asset), renditionFiles(asset), "the dead worker's files are swept, the recorded ones stay");
    assertTrue(orphans.stream().noneMatch(renditionKeys(asset)::contains));
    assertFalse(neverEnds.isComplete());
    server.assertInvariants();
  }

  @Test
  void retriesAreBounded() throws Exception {
    UUID asset = upload(photo(), "image/jpeg");
    // The original is gone from the store (a disk fault): not the file's fault, so retried.
    String key = server.sql("SELECT blob_key FROM assets WHERE id = $1", asset).iterator().next().getString(0);
    Files.delete(server.localBlobs().path(key));
    for (int attempt = 1; attempt <= RenditionWorker.MAX_ATTEMPTS; attempt++) {
      assertTrue(worker().runOne().await(), "attempt " + attempt);
      Row t = task(asset, "display_proxy_generation");
      assertEquals(attempt, t.getInteger("attempts"));
      assertEquals(attempt < RenditionWorker.MAX_ATTEMPTS ? "started" : "failure", t.getString("status"));
      assertTrue(t.getString("error_message").contains("missing"), t.getString("error_message"));
      assertFalse(worker().runOne().await(), "not before its backoff");
      server.clock.advance(RenditionWorker.RETRY_BACKOFF.multipliedBy(attempt).plusSeconds(1));
    }
    assertFalse(worker().runOne().await(), "no attempts left");
  }

  @Test
  void aTaskWhoseWorkersKeepDyingIsGivenUp() throws Exception {
    UUID asset = upload(photo(), "image/jpeg");
    for (int i = 0; i < RenditionWorker.MAX_ATTEMPTS; i++) {
      OffsetDateTime now = now();
      assertEquals(1, server.sql(TaskSql.CLAIM, now, now.plus(LEASE), RenditionWorker.MAX_ATTEMPTS).size());
      server.clock.advance(LEASE.plusSeconds(1));
    }
    assertFalse(worker().runOne().await());
    Row t = task(asset, "display_proxy_generation");
    assertEquals("failure", t.getString("status"));
    assertTrue(t.getString("error_message").contains("no worker finished it in 3 attempts"), t.getString("error_message"));
  }

  // ---- lifecycle: every way an asset goes takes its renditions along ----

  private UUID rendered() throws Exception {
    UUID asset = upload(photo(), "image/jpeg");
    assertTrue(worker().runOne().await());
    assertEquals(3, renditionFiles(asset).size());
    return asset;
  }

  private JsonObject ids(UUID... assets) {
    io.vertx.core.json.JsonArray a = new io.vertx.core.json.JsonArray();
    for (UUID u : assets) {
      a.add(Ids.ASSET.format(u));
    }
    return new JsonObject().put("ids", a);
  }

  @Test
  void permanentDeleteTakesTheRenditions() throws Exception {
    UUID one = rendered();
    UUID two = rendered();
    assertEquals(200, server.call(HttpMethod.DELETE, "/api/assets/" + Ids.ASSET.format(one), alice.key(), null).statusCode());
    assertNothingLeftOf(one);
    assertEquals(200, server.call(HttpMethod.DELETE, "/api/assets?library_id=" + lib, alice.key(), ids(two)).statusCode());
    assertNothingLeftOf(two);
  }

  @Test
  void emptyTrashTakesTheRenditions() throws Exception {
    UUID asset = rendered();
    assertEquals(200, server.post("/api/assets/trash?library_id=" + lib, alice.key(), ids(asset)).statusCode());
    assertEquals(3, renditionFiles(asset).size(), "trash keeps them for a restore");
    assertEquals(200, server.post("/api/assets/empty-trash?library_id=" + lib, alice.key(), null).statusCode());
    assertNothingLeftOf(asset);
  }

  @Test
  void theDrainsLibraryPurgeTakesTheRenditions() throws Exception {
    UUID asset = rendered();
    assertEquals(200, server.post("/api/libraries/" + lib + "/trash", alice.key(), null).statusCode());
    assertEquals(200, server.post("/api/libraries/" + lib + "/restore", alice.key(), null).statusCode());
    assertEquals(3, renditionFiles(asset).size(), "a restored library has its renditions, not made twice");
    assertEquals(200, server.post("/api/libraries/" + lib + "/trash", alice.key(), null).statusCode());
    assertEquals(200, server.call(HttpMethod.DELETE, "/api/libraries/" + lib, alice.key(), null).statusCode());
    Drain drain = server.drain(100);
    assertEquals(List.of(asset), drain.purgeLibraryBatch().await().purgedAssets());
    assertNothingLeftOf(asset);
  }

  @Test
  void theRetentionPurgeTakesTheRenditions() throws Exception {
    UUID asset = rendered();
    assertEquals(200, server.post("/api/assets/trash?library_id=" + lib, alice.key(), ids(asset)).statusCode());
    server.clock.advance(server.app.settings().assetTrashRetention().plusDays(1));
    assertEquals(List.of(asset), server.drain(100).purgeTrashedAssetsBatch().await().purgedAssets());
    assertNothingLeftOf(asset);
  }

  // ---- the race: an asset deleted while its renditions are being made ----

  @Test
  void anAssetDeletedWhileRenderingLeavesNoFileBehind() throws Exception {
    UUID asset = upload(photo(), "image/jpeg");
    AtomicReference<Integer> storedBeforeDelete = new AtomicReference<>();
    RenditionWorker w = worker(new RenditionWorker.Interleaving() {
      @Override
      public Future<Void> afterStored(UUID a) {
        storedBeforeDelete.set(renditionFiles(a).size());
        return server.client.delete("/api/assets/" + Ids.ASSET.format(a)).bearerTokenAuthentication(alice.key()).send()
          .map(res -> {
            assertEquals(200, res.statusCode());
            return null;
          });
      }
    });
    assertTrue(w.runOne().await());
    assertEquals(3, storedBeforeDelete.get(), "the files were stored before the delete");
    assertEquals(0, server.count("SELECT count(*) FROM tasks WHERE asset_id = $1", asset), "the task went with its asset");
    assertEquals(Set.of(), renditionFiles(asset), "deleted by the worker itself, no sweep needed");
    assertEquals(0, server.count("SELECT count(*) FROM blob_deletions"));
    server.assertInvariants();
  }

  @Test
  void aDeleteThatWaitsForTheRecordingListsWhatWasRecorded() throws Exception {
    UUID asset = upload(photo(), "image/jpeg");
    AtomicReference<Future<HttpResponse<Buffer>>> delete = new AtomicReference<>();
    RenditionWorker w = worker(new RenditionWorker.Interleaving() {
      @Override
      public Future<Void> whileRecording(UUID a) {
        // The delete starts while this transaction holds the asset, and must wait for it.
        delete.set(server.client.delete("/api/assets/" + Ids.ASSET.format(a)).bearerTokenAuthentication(alice.key()).send());
        return untilSomeoneWaitsForALock();
      }
    });
    assertTrue(w.runOne().await());
    assertEquals(200, delete.get().await().statusCode());
    assertEquals(0, server.count("SELECT count(*) FROM renditions WHERE asset_id = $1", asset));
    assertEquals(3, server.count("SELECT count(*) FROM blob_deletions WHERE blob_key LIKE $1", asset + "-%"),
      "the delete's transaction listed the renditions the worker had just recorded");
    // Its statement began before they were recorded, so it could not delete them itself: the sweep does.
    server.drain(100).sweepDeletions(1000).await();
    assertNothingLeftOf(asset);
  }

  /** Polls, without blocking the event loop, until a backend of this database waits on a lock. */
  private Future<Void> untilSomeoneWaitsForALock() {
    Promise<Void> p = Promise.promise();
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    pollLockWait(p, deadline);
    return p.future();
  }

  private void pollLockWait(Promise<Void> p, long deadline) {
    server.app.pool().preparedQuery("""
        SELECT count(*) FROM pg_stat_activity
         WHERE datname = current_database() AND wait_event_type = 'Lock'""")
      .execute(Tuple.tuple())
      .onFailure(p::fail)
      .onSuccess(rows -> {
        if (rows.iterator().next().getLong(0) > 0) {
          p.complete();
        } else if (System.nanoTime() > deadline) {
          p.fail(new AssertionError("the delete never waited for the recording transaction"));
        } else {
          server.vertx.setTimer(20, id -> pollLockWait(p, deadline));
        }
      });
  }
}
