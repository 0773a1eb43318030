package org.eucalypt.drain;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.eucalypt.support.TestServer;
import org.eucalypt.support.TestServer.User;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two instances (two Vert.x, two pools, one database and storage directory) draining the same
 * backlog at once, cooperating through PostgreSQL alone: nothing purged twice, nothing skipped,
 * and the work of an instance that dies mid-batch taken over by the other.
 */
class DrainsTogetherTest {
  private static final int LIBRARIES = 3;
  private static final int ASSETS_EACH = 100;
  private static final int BATCH = 10;

  private static final java.util.concurrent.ExecutorService UPLOADERS = java.util.concurrent.Executors.newFixedThreadPool(8);
  private Vertx vertxB;
  private TestServer a;
  private TestServer b;
  private boolean bAlive;

  @BeforeEach
  void start() {
    a = TestServer.start(Vertx.vertx());
    vertxB = Vertx.vertx();
    b = a.startAnotherInstance(vertxB);
    bAlive = true;
  }

  @AfterEach
  void stop() {
    if (bAlive) {
      b.stopInstance();
      vertxB.close().await();
    }
    Vertx va = a.vertx;
    a.stop();
    va.close().await();
  }

  @Test
  void twoDrainsPurgeEveryAssetExactlyOnce() throws Exception {
    Set<String> libraries = seedAndExpedite();
    List<UUID> purgedByA = new CopyOnWriteArrayList<>();
    List<UUID> purgedByB = new CopyOnWriteArrayList<>();
    Thread da = drainUntilEmpty(a, purgedByA, () -> false);
    Thread db = drainUntilEmpty(b, purgedByB, () -> false);
    da.join(Duration.ofSeconds(120).toMillis());
    db.join(Duration.ofSeconds(120).toMillis());
    assertTrue(!da.isAlive() && !db.isAlive(), "the drains did not finish within 120 s");

    assertTrue(!purgedByA.isEmpty() && !purgedByB.isEmpty(), "both drains took part: " + purgedByA.size() + "/" + purgedByB.size());
    Set<UUID> overlap = new HashSet<>(purgedByA);
    overlap.retainAll(new HashSet<>(purgedByB));
    assertEquals(Set.of(), overlap, "purged by both");
    assertEquals(LIBRARIES * ASSETS_EACH, purgedByA.size() + purgedByB.size());
    assertPurgedExactlyOnce(libraries);
  }

  @Test
  void anInstanceKilledMidBatchLeavesItsWorkToTheOther() throws Exception {
    Set<String> libraries = seedAndExpedite();
    List<UUID> purgedByA = new CopyOnWriteArrayList<>();
    List<UUID> purgedByB = new CopyOnWriteArrayList<>();
    // B stops by itself after two batches, so work is left whatever the machine's speed (stopped
    // from outside, a fast drain had sometimes purged everything before the stop landed).
    Thread db = drainUntilEmpty(b, purgedByB, () -> purgedByB.size() >= 2 * BATCH);
    db.join(Duration.ofSeconds(60).toMillis());
    assertTrue(!db.isAlive(), "B did not run its two batches within 60 s");

    // B, mid-batch: it holds a library's row lock and has deleted a batch of its assets, not committed.
    SqlConnection held = b.app.pool().getConnection().await();
    held.begin().await();
    OffsetDateTime now = OffsetDateTime.now(b.clock).withOffsetSameInstant(ZoneOffset.UTC);
    UUID claimed = held.preparedQuery(DrainSql.CLAIM_LIBRARY).execute(Tuple.of(now)).await().iterator().next().getUUID("id");
    int deletedUncommitted = held.preparedQuery(DrainSql.DELETE_LIBRARY_ASSETS).execute(Tuple.of(claimed, BATCH)).await().rowCount();
    assertEquals(BATCH, deletedUncommitted);

    // A drains meanwhile: it skips the held library, and purges the others.
    Thread da = drainUntilEmpty(a, purgedByA, () -> false);
    await().atMost(Duration.ofSeconds(60))
      .until(() -> a.count("SELECT count(*) FROM libraries WHERE id <> $1", claimed) == 0);
    assertTrue(a.count("SELECT count(*) FROM assets WHERE library_id = $1", claimed) > 0);

    // B dies: its Vert.x, pool and connections go without a word to the drain.
    long died = System.nanoTime();
    vertxB.close().await();
    bAlive = false;
    // PostgreSQL ends B's transaction with its connection; A takes the library over.
    da.join(Duration.ofSeconds(60).toMillis());
    assertTrue(!da.isAlive(), "A did not finish B's library within 60 s");
    long takeoverMillis = Duration.ofNanos(System.nanoTime() - died).toMillis();
    assertTrue(takeoverMillis < 30_000, "took " + takeoverMillis + " ms");

    Set<UUID> overlap = new HashSet<>(purgedByA);
    overlap.retainAll(new HashSet<>(purgedByB));
    assertEquals(Set.of(), overlap, "purged by both");
    assertEquals(LIBRARIES * ASSETS_EACH, purgedByA.size() + purgedByB.size());
    assertPurgedExactlyOnce(libraries);
  }

  /** Three libraries of 100 assets each, trashed and expedited through A's API. */
  private Set<String> seedAndExpedite() {
    User alice = a.newUser();
    Set<String> libraries = new HashSet<>();
    for (int l = 0; l < LIBRARIES; l++) {
      String lib = a.createLibrary(alice, "Library " + l);
      libraries.add(lib);
      List<java.util.concurrent.Future<?>> uploads = new ArrayList<>();
      for (int i = 0; i < ASSETS_EACH; i++) {
        // Several at a time, each instance taking half: both write to the one storage directory.
        TestServer via = i % 2 == 0 ? a : b;
        uploads.add(UPLOADERS.submit(() ->
          assertEquals(201, via.upload(alice, lib, "p" + UUID.randomUUID() + ".jpg", TestServer.randomBytes(512)).statusCode())));
      }
      for (java.util.concurrent.Future<?> f : uploads) {
        try {
          f.get();
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      }
      assertEquals(200, a.post("/api/libraries/" + lib + "/trash", alice.key(), null).statusCode());
      assertEquals(200, a.call(HttpMethod.DELETE, "/api/libraries/" + lib, alice.key(), null).statusCode());
    }
    assertEquals(LIBRARIES * ASSETS_EACH, a.count("SELECT count(*) FROM assets"));
    assertEquals(LIBRARIES * ASSETS_EACH, a.storedFiles().size());
    return libraries;
  }

  /** Runs batches of one instance's drain until no library is left (or told to stop). */
  private static Thread drainUntilEmpty(TestServer server, List<UUID> purged, java.util.function.BooleanSupplier stop) {
    Drain drain = server.drain(BATCH);
    Thread t = new Thread(() -> {
      while (!stop.getAsBoolean() && server.count("SELECT count(*) FROM libraries") > 0) {
        Drain.Batch batch = drain.runBatch().await();
        purged.addAll(batch.purgedAssets());
        if (batch.idle()) {
          // The rest is held by the other drain: look again shortly.
          pause(20);
        }
      }
    }, "drain-" + server.app.port());
    t.start();
    return t;
  }

  private void assertPurgedExactlyOnce(Set<String> libraries) {
    assertEquals(0, a.count("SELECT count(*) FROM libraries"));
    assertEquals(0, a.count("SELECT count(*) FROM assets"));
    assertEquals(LIBRARIES * ASSETS_EACH, a.count("SELECT count(*) FROM events WHERE event_type = 'asset_deleted'"));
    assertEquals(LIBRARIES * ASSETS_EACH,
      a.count("SELECT count(DISTINCT entity_id) FROM events WHERE event_type = 'asset_deleted'"));
    assertEquals(LIBRARIES, a.count("SELECT count(*) FROM events WHERE event_type = 'library_purged'"));
    assertEquals(LIBRARIES, a.count("SELECT count(DISTINCT entity_id) FROM events WHERE event_type = 'library_purged'"));
    assertEquals(0, a.count("SELECT count(*) FROM blob_deletions"));
    assertEquals(Set.of(), a.storedFiles());
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
