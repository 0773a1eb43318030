package org.eucalypt.asset;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.multipart.MultipartForm;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Row;
import org.eucalypt.auth.Users;
import org.eucalypt.config.Settings;
import org.eucalypt.drain.Drain;
import org.eucalypt.id.Ids;
import org.eucalypt.support.TestServer;
import org.eucalypt.support.TestServer.User;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The per-asset lifecycle of issue 3, over HTTP against real PostgreSQL and a real storage
 * directory: trash, restore, permanent deletes, empty-trash, list by trash state, counts by
 * month, the drain's retention purge of individually trashed assets, concurrent dedup, storage
 * caps (also under concurrency) and metadata read from the file. After every change the
 * counters are checked against the rows, and the events against what actually changed.
 */
@ExtendWith(VertxExtension.class)
class AssetLifecycleTest {
  private static final int SIZE = 2048;

  // A server per test: tests move the clock, run drains and set limits, and must see only their own work.
  private Vertx vertx;
  private TestServer server;
  private User alice;
  private User bob;

  @BeforeEach
  void init(Vertx vertx) {
    this.vertx = vertx;
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop();
    }
  }

  private void boot() {
    boot(s -> s);
  }

  private void boot(UnaryOperator<Settings> customize) {
    server = TestServer.start(vertx, customize);
    alice = server.newUser();
    bob = server.newUser();
  }

  // ================================================================ trash

  @Test
  void trashSoftDeletesKeepsCountersAndWritesOneEventPerAsset() {
    boot();
    String lib = server.createLibrary(alice, "Photos");
    String a = upload(alice, lib);
    String b = upload(alice, lib);
    String c = upload(alice, lib);
    Set<String> files = server.storedFiles();

    Instant before = server.clock.instant();
    assertDeletion(bulk(alice, "trash", lib, a, b));
    Instant after = server.clock.instant();

    // Still stored, still counted, files untouched.
    assertCounters(alice, lib, 3, 3L * SIZE);
    assertEquals(files, server.storedFiles());
    server.assertInvariants();
    assertEvents("asset_updated:trashed", a, b);
    assertEvents("asset_updated:restored");
    assertEvents("asset_deleted");

    // GET answers a trashed asset, with trashed_at set to when it was trashed.
    JsonObject got = getAsset(alice, a);
    assertNotNull(got.getString("trashed_at"), got.encode());
    Instant trashedAt = OffsetDateTime.parse(got.getString("trashed_at")).toInstant();
    assertFalse(trashedAt.isBefore(before.minusMillis(1)), trashedAt + " before " + before);
    assertFalse(trashedAt.isAfter(after.plusMillis(1)), trashedAt + " after " + after);
    assertTrue(got.getString("trashed_at").endsWith("Z"), got.getString("trashed_at"));
    assertNull(getAsset(alice, c).getValue("trashed_at"));
    assertEquals(trashedAt, trashedAtInDb(a));

    // The default list and state=live leave them out; trashed and all show them.
    assertEquals(Set.of(c), Set.copyOf(listIds(alice, "/api/assets?library_id=" + lib)));
    assertEquals(Set.of(c), Set.copyOf(listIds(alice, "/api/assets?library_id=" + lib + "&state=live")));
    assertEquals(Set.of(a, b), Set.copyOf(listIds(alice, "/api/assets?library_id=" + lib + "&state=trashed")));
    assertEquals(Set.of(a, b, c), Set.copyOf(listIds(alice, "/api/assets?library_id=" + lib + "&state=all")));
    for (JsonObject asset : list(alice, "/api/assets?library_id=" + lib + "&state=trashed")) {
      assertNotNull(asset.getString("trashed_at"), asset.encode());
    }
  }

  @Test
  void trashingATrashedAssetKeepsItsTrashTimeAndWritesNoSecondEvent() {
    boot();
    String lib = server.createLibrary(alice, "Photos");
    String a = upload(alice, lib);
    String b = upload(alice, lib);
    assertDeletion(bulk(alice, "trash", lib, a));
    String firstTrashedAt = getAsset(alice, a).getString("trashed_at");

    server.clock.advance(Duration.ofHours(3));
    assertDeletion(bulk(alice, "trash", lib, a, b));
    assertEquals(firstTrashedAt, getAsset(alice, a).getString("trashed_at"), "a second trash moved the trash time");
    assertNotNull(getAsset(alice, b).getString("trashed_at"));
    assertTrue(OffsetDateTime.parse(getAsset(alice, b).getString("trashed_at"))
      .isAfter(OffsetDateTime.parse(firstTrashedAt).plusHours(2)));

    // All already trashed: 200, nothing written.
    server.clock.advance(Duration.ofHours(3));
    assertDeletion(bulk(alice, "trash", lib, a, b, a));
    assertEquals(firstTrashedAt, getAsset(alice, a).getString("trashed_at"));
    assertEvents("asset_updated:trashed", a, b);
    assertCounters(alice, lib, 2, 2L * SIZE);
    server.assertInvariants();
  }

  // ================================================================ restore

  @Test
  void restoreIsIdempotentAndSkipsLiveIds() {
    boot();
    String lib = server.createLibrary(alice, "Photos");
    String a = upload(alice, lib);
    String b = upload(alice, lib);
    String c = upload(alice, lib);
    assertDeletion(bulk(alice, "trash", lib, a, b));

    // a trashed, c live: only a changes, only a gets an event.
    assertDeletion(bulk(alice, "restore", lib, a, c));
    assertNull(getAsset(alice, a).getValue("trashed_at"));
    assertNotNull(getAsset(alice, b).getValue("trashed_at"));
    assertNull(getAsset(alice, c).getValue("trashed_at"));
    assertEvents("asset_updated:restored", a);
    assertEquals(Set.of(a, c), Set.copyOf(listIds(alice, "/api/assets?library_id=" + lib)));

    // Again, and with only live ids: 200, no new event.
    assertDeletion(bulk(alice, "restore", lib, a, c));
    assertDeletion(bulk(alice, "restore", lib, c));
    assertEvents("asset_updated:restored", a);

    assertDeletion(bulk(alice, "restore", lib, b));
    assertEvents("asset_updated:restored", a, b);
    assertEquals(Set.of(a, b, c), Set.copyOf(listIds(alice, "/api/assets?library_id=" + lib)));
    assertEquals(List.of(), listIds(alice, "/api/assets?library_id=" + lib + "&state=trashed"));
    assertCounters(alice, lib, 3, 3L * SIZE);
    assertEvents("asset_updated:trashed", a, b);
    assertEvents("asset_deleted");
    server.assertInvariants();

    // A restored asset can be trashed again: a new trash event and a new trash time.
    assertDeletion(bulk(alice, "trash", lib, a));
    assertEquals(2, countEvents("asset_updated:trashed", a));
  }

  // ================================================================ bulk: 404 and nothing changes

  @Test
  void anotherUsersIdInABulkCallIs404AndNothingChanges() {
    boot();
    String lib = server.createLibrary(alice, "Photos");
    String other = server.createLibrary(alice, "Other");
    String a = upload(alice, lib);
    String b = upload(alice, lib);
    String t = upload(alice, lib);
    String elsewhere = upload(alice, other);
    assertDeletion(bulk(alice, "trash", lib, t));
    String bobsLib = server.createLibrary(bob, "Bob's");
    String bobs = upload(bob, bobsLib);
    Snapshot before = snapshot();
    String tTrashedAt = getAsset(alice, t).getString("trashed_at");

    String unknown = Ids.ASSET.format(UUID.randomUUID());
    for (String foreign : List.of(bobs, unknown, elsewhere, "asset_nope", lib)) {
      assertNotFound(bulk(alice, "trash", lib, a, foreign, b));
      assertNotFound(bulk(alice, "restore", lib, t, foreign));
      assertNotFound(deleteMany(alice, lib, a, t, foreign));
      before.assertUnchanged();
      assertNull(getAsset(alice, a).getValue("trashed_at"));
      assertNull(getAsset(alice, b).getValue("trashed_at"));
      assertEquals(tTrashedAt, getAsset(alice, t).getString("trashed_at"));
    }
    // Bob's asset is untouched, and bob cannot act on alice's either.
    assertNull(getAsset(bob, bobs).getValue("trashed_at"));
    assertNotFound(bulk(bob, "trash", bobsLib, bobs, a));
    assertNotFound(bulk(bob, "trash", null, a));
    assertNotFound(deleteMany(bob, null, a));
    // Naming alice's library is 404 for bob, even with his own ids.
    assertNotFound(bulk(bob, "trash", lib, bobs));
    assertNotFound(bulk(bob, "restore", lib, t));
    assertNotFound(deleteMany(bob, lib, a));
    assertNotFound(emptyTrash(bob, lib));
    before.assertUnchanged();
    assertNotFound(server.get("/api/assets/" + a, bob.key()));
    assertNotFound(server.call(HttpMethod.DELETE, "/api/assets/" + a, bob.key(), null));
    before.assertUnchanged();
    assertEvents("asset_updated:trashed", t);
    assertEvents("asset_updated:restored");
    assertEvents("asset_deleted");
    server.assertInvariants();
  }

  @Test
  void bulkCallsTakeOneToTwoHundredIds() {
    boot();
    String lib = server.createLibrary(alice, "Photos");
    String a = upload(alice, lib);
    Snapshot before = snapshot();

    for (String op : List.of("trash", "restore", "delete")) {
      assertValidation(op(op, alice, lib, new JsonObject().put("ids", new JsonArray())),
        List.of("body", "ids"), "too_short");
      JsonArray tooMany = new JsonArray();
      for (int i = 0; i < 201; i++) {
        tooMany.add(a);
      }
      assertValidation(op(op, alice, lib, new JsonObject().put("ids", tooMany)), List.of("body", "ids"), "too_long");
      assertValidation(op(op, alice, lib, new JsonObject()), List.of("body", "ids"), "missing");
      assertValidation(op(op, alice, lib, new JsonObject().put("ids", a)), List.of("body", "ids"), null);
      before.assertUnchanged();
    }
    HttpResponse<Buffer> notJson = server.client.post("/api/assets/trash").bearerTokenAuthentication(alice.key())
      .addQueryParam("library_id", lib).putHeader("content-type", "application/json")
      .sendBuffer(Buffer.buffer("{not json")).await();
    assertEquals(422, notJson.statusCode(), notJson.bodyAsString());
    before.assertUnchanged();

    // Exactly 200 (the same id repeated) is accepted, and the asset changes once.
    JsonArray two00 = new JsonArray();
    for (int i = 0; i < 200; i++) {
      two00.add(a);
    }
    assertDeletion(op("trash", alice, lib, new JsonObject().put("ids", two00)));
    assertEvents("asset_updated:trashed", a);
    assertDeletion(op("restore", alice, lib, new JsonObject().put("ids", two00)));
    assertEvents("asset_updated:restored", a);
    assertDeletion(op("delete", alice, lib, new JsonObject().put("ids", two00)));
    assertEvents("asset_deleted", a);
    assertCounters(alice, lib, 0, 0);
    server.assertInvariants();
  }

  // ================================================================ library_id

  @Test
  void libraryIdIsOptionalWithExactlyOneLiveLibraryAndAmbiguityIs400() {
    boot();
    // No library at all: nothing to pick.
    assertBadRequest(bulk(alice, "trash", null, Ids.ASSET.format(UUID.randomUUID())));
    assertBadRequest(emptyTrash(alice, null));

    String lib = server.createLibrary(alice, "Only");
    String a = upload(alice, null);
    String b = upload(alice, null);
    assertEquals(lib, getAsset(alice, a).getString("library_id"));
    assertDeletion(bulk(alice, "trash", null, a));
    assertDeletion(bulk(alice, "restore", null, a));
    assertDeletion(bulk(alice, "trash", null, a, b));
    assertEquals(Set.of(a, b), Set.copyOf(listIds(alice, "/api/assets?state=trashed")));
    assertEquals(2, counts(alice, "/api/assets/counts?state=trashed").getJsonArray("data").getJsonObject(0)
      .getLong("count"));
    assertDeletion(bulk(alice, "restore", null, b));
    assertDeletion(deleteMany(alice, null, b));
    assertDeletion(emptyTrash(alice, null));
    assertNotFound(server.get("/api/assets/" + a, alice.key()));
    assertCounters(alice, lib, 0, 0);
    assertEvents("asset_deleted", a, b);

    // A second live library: every asset endpoint that takes library_id needs it.
    String second = server.createLibrary(alice, "Second");
    String c = upload(alice, lib);
    Snapshot before = snapshot();
    assertBadRequest(bulk(alice, "trash", null, c));
    assertBadRequest(bulk(alice, "restore", null, c));
    assertBadRequest(deleteMany(alice, null, c));
    assertBadRequest(emptyTrash(alice, null));
    assertBadRequest(server.get("/api/assets", alice.key()));
    assertBadRequest(server.get("/api/assets/counts", alice.key()));
    before.assertUnchanged();
    assertNull(getAsset(alice, c).getValue("trashed_at"));
    // ...but not the one-asset endpoints, which know their asset's library.
    assertEquals(200, server.get("/api/assets/" + c, alice.key()).statusCode());

    // Naming it works; a malformed, unknown, foreign or trashed library is 404.
    assertDeletion(bulk(alice, "trash", lib, c));
    assertDeletion(bulk(alice, "restore", lib, c));
    for (String bad : List.of("lib_nope", Ids.LIBRARY.format(UUID.randomUUID()), server.createLibrary(bob, "B"), c)) {
      assertNotFound(bulk(alice, "trash", bad, c));
      assertNotFound(bulk(alice, "restore", bad, c));
      assertNotFound(deleteMany(alice, bad, c));
      assertNotFound(emptyTrash(alice, bad));
      assertNotFound(server.get("/api/assets/counts?library_id=" + bad, alice.key()));
    }
    assertEquals(200, server.post("/api/libraries/" + second + "/trash", alice.key(), null).statusCode());
    assertNotFound(emptyTrash(alice, second));
    assertNotFound(server.get("/api/assets/counts?library_id=" + second, alice.key()));
    // With the second trashed, the first is the only live library again.
    assertDeletion(bulk(alice, "trash", null, c));
    assertEquals(List.of(c), listIds(alice, "/api/assets?state=trashed"));
    assertCounters(alice, lib, 1, SIZE);
    server.assertInvariants();
  }

  @Test
  void withoutAKeyEveryLifecycleEndpointIs401() {
    boot();
    String lib = server.createLibrary(alice, "Photos");
    String a = upload(alice, lib);
    Snapshot before = snapshot();
    JsonObject body = idsBody(a);
    for (HttpResponse<Buffer> res : List.of(
      server.post("/api/assets/trash?library_id=" + lib, null, body),
      server.post("/api/assets/restore?library_id=" + lib, null, body),
      server.call(HttpMethod.DELETE, "/api/assets?library_id=" + lib, null, body),
      server.call(HttpMethod.DELETE, "/api/assets/" + a, null, null),
      server.post("/api/assets/empty-trash?library_id=" + lib, null, null),
      server.get("/api/assets/counts?library_id=" + lib, null),
      server.post("/api/assets/trash?library_id=" + lib, "not-a-key", body))) {
      assertEquals(401, res.statusCode(), res.bodyAsString());
      assertEquals(new JsonObject().put("detail", "Not authenticated"), res.bodyAsJsonObject());
    }
    before.assertUnchanged();
  }

  // ================================================================ permanent deletes

  @Test
  void deleteOneAssetRemovesItsRowAndFileLiveOrTrashed() {
    boot();
    String lib = server.createLibrary(alice, "Photos");
    String live = upload(alice, lib);
    String trashed = upload(alice, lib);
    String kept = upload(alice, lib);
    assertDeletion(bulk(alice, "trash", lib, trashed));
    String liveKey = blobKey(live);
    String trashedKey = blobKey(trashed);
    assertTrue(server.storedFiles().containsAll(Set.of(liveKey, trashedKey)));

    assertDeletion(server.call(HttpMethod.DELETE, "/api/assets/" + live, alice.key(), null));
    assertNotFound(server.get("/api/assets/" + live, alice.key()));
    assertFalse(server.storedFiles().contains(liveKey), "the stored file outlived its asset");
    assertCounters(alice, lib, 2, 2L * SIZE);
    assertEvents("asset_deleted", live);
    server.assertInvariants();

    assertDeletion(server.call(HttpMethod.DELETE, "/api/assets/" + trashed, alice.key(), null));
    assertNotFound(server.get("/api/assets/" + trashed, alice.key()));
    assertFalse(server.storedFiles().contains(trashedKey));
    assertCounters(alice, lib, 1, SIZE);
    assertEvents("asset_deleted", live, trashed);
    assertEquals(0, server.count("SELECT count(*) FROM blob_deletions"), "deleted files stay listed");
    assertEquals(Set.of(blobKey(kept)), server.storedFiles());
    server.assertInvariants();

    // Gone is gone; malformed and foreign ids are 404 alike.
    Snapshot before = snapshot();
    assertNotFound(server.call(HttpMethod.DELETE, "/api/assets/" + live, alice.key(), null));
    assertNotFound(server.call(HttpMethod.DELETE, "/api/assets/asset_nope", alice.key(), null));
    assertNotFound(server.call(HttpMethod.DELETE, "/api/assets/" + lib, alice.key(), null));
    assertNotFound(server.call(HttpMethod.DELETE, "/api/assets/" + kept, bob.key(), null));
    before.assertUnchanged();
    assertEvents("asset_deleted", live, trashed);

    // An asset of a trashed library is out of reach.
    assertEquals(200, server.post("/api/libraries/" + lib + "/trash", alice.key(), null).statusCode());
    Snapshot trashedLibrary = snapshot();
    assertNotFound(server.call(HttpMethod.DELETE, "/api/assets/" + kept, alice.key(), null));
    trashedLibrary.assertUnchanged();
  }

  @Test
  void deleteManyRemovesEachIdAndKeepsCountersExact() {
    boot();
    String lib = server.createLibrary(alice, "Photos");
    String a = upload(alice, lib);
    String b = upload(alice, lib);
    String c = upload(alice, lib, TestServer.randomBytes(5000));
    String d = upload(alice, lib);
    assertDeletion(bulk(alice, "trash", lib, b));
    Set<String> keys = Set.of(blobKey(a), blobKey(b), blobKey(c));

    assertDeletion(deleteMany(alice, lib, a, b, c, a));
    for (String id : List.of(a, b, c)) {
      assertNotFound(server.get("/api/assets/" + id, alice.key()));
    }
    assertEquals(Set.of(blobKey(d)), server.storedFiles());
    for (String key : keys) {
      assertFalse(server.storedFiles().contains(key));
    }
    assertCounters(alice, lib, 1, SIZE);
    assertEvents("asset_deleted", a, b, c);
    assertEquals(0, server.count("SELECT count(*) FROM blob_deletions"));
    server.assertInvariants();

    // An id already deleted makes the whole call 404: d stays.
    assertNotFound(deleteMany(alice, lib, d, a));
    assertEquals(200, server.get("/api/assets/" + d, alice.key()).statusCode());
    assertCounters(alice, lib, 1, SIZE);
    assertEvents("asset_deleted", a, b, c);
    server.assertInvariants();
  }

  @Test
  void emptyTrashDeletesEveryTrashedAssetInBatchesAndOnlyThose() {
    boot(s -> s.with("drain_batch_size", 3));
    String lib = server.createLibrary(alice, "Photos");
    String other = server.createLibrary(alice, "Other");
    List<String> trashed = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      trashed.add(upload(alice, lib));
    }
    String live1 = upload(alice, lib);
    String live2 = upload(alice, lib);
    String otherTrashed = upload(alice, other);
    assertDeletion(bulk(alice, "trash", lib, trashed.toArray(String[]::new)));
    assertDeletion(bulk(alice, "trash", other, otherTrashed));
    assertCounters(alice, lib, 10, 10L * SIZE);
    Set<String> trashedKeys = new HashSet<>();
    trashed.forEach(id -> trashedKeys.add(blobKey(id)));

    assertDeletion(emptyTrash(alice, lib));
    assertEquals(List.of(), listIds(alice, "/api/assets?library_id=" + lib + "&state=trashed"));
    assertEquals(Set.of(live1, live2), Set.copyOf(listIds(alice, "/api/assets?library_id=" + lib + "&state=all")));
    assertCounters(alice, lib, 2, 2L * SIZE);
    assertEvents("asset_deleted", trashed.toArray(String[]::new));
    for (String key : trashedKeys) {
      assertFalse(server.storedFiles().contains(key), "file of an emptied asset left: " + key);
    }
    assertEquals(0, server.count("SELECT count(*) FROM blob_deletions"));
    // The other library's trash is its own.
    assertNotNull(getAsset(alice, otherTrashed).getString("trashed_at"));
    assertCounters(alice, other, 1, SIZE);
    server.assertInvariants();

    // Nothing trashed: 200, nothing changes.
    Snapshot before = snapshot();
    assertDeletion(emptyTrash(alice, lib));
    before.assertUnchanged();
    assertEvents("asset_deleted", trashed.toArray(String[]::new));
  }

  @Test
  void emptyTrashOfExactlyOneBatchWorksToo() {
    boot(s -> s.with("drain_batch_size", 3));
    String lib = server.createLibrary(alice, "Photos");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      ids.add(upload(alice, lib));
    }
    assertDeletion(bulk(alice, "trash", lib, ids.toArray(String[]::new)));
    assertDeletion(emptyTrash(alice, null));
    assertCounters(alice, lib, 0, 0);
    assertTrue(server.storedFiles().isEmpty(), server.storedFiles().toString());
    assertEvents("asset_deleted", ids.toArray(String[]::new));
    server.assertInvariants();
  }

  // ================================================================ list by trash time

  @Test
  void trashedListIsOrderedByTrashTimeAndPages() {
    boot();
    String lib = server.createLibrary(alice, "Photos");
    // Captured in one order...
    String a = uploadAt(alice, lib, "2020-01-01T00:00:00Z");
    String b = uploadAt(alice, lib, "2021-01-01T00:00:00Z");
    String c = uploadAt(alice, lib, "2022-01-01T00:00:00Z");
    String d = uploadAt(alice, lib, "2023-01-01T00:00:00Z");
    upload(alice, lib);
    // ...trashed in another: b, d, a, c.
    for (String id : List.of(b, d, a, c)) {
      assertDeletion(bulk(alice, "trash", lib, id));
      server.clock.advance(Duration.ofMinutes(10));
    }
    String path = "/api/assets?library_id=" + lib + "&state=trashed";
    assertEquals(List.of(c, a, d, b), listIds(alice, path));
    assertEquals(List.of(c, a, d, b), listIds(alice, path + "&order=desc"));
    assertEquals(List.of(b, d, a, c), listIds(alice, path + "&order=asc"));

    // Pages by cursor follow the same order.
    JsonObject first = page(server.get(path + "&limit=3", alice.key()));
    assertEquals(List.of(c, a, d), ids(first));
    assertTrue(first.getBoolean("has_more"));
    JsonObject second = page(server.get(path + "&limit=3&starting_after_id=" + d, alice.key()));
    assertEquals(List.of(b), ids(second));
    assertFalse(second.getBoolean("has_more"));
    JsonObject asc = page(server.get(path + "&order=asc&limit=2&starting_after_id=" + d, alice.key()));
    assertEquals(List.of(a, c), ids(asc));
    assertFalse(asc.getBoolean("has_more"));

    // Restoring one takes it out; live and all stay by capture time.
    assertDeletion(bulk(alice, "restore", lib, a));
    assertEquals(List.of(c, d, b), listIds(alice, path));
    List<String> all = listIds(alice, "/api/assets?library_id=" + lib + "&state=all&order=asc");
    assertEquals(List.of(a, b, c, d), all.subList(0, 4));
    assertEquals(5, all.size());
    assertValidation(server.get("/api/assets?library_id=" + lib + "&state=bin", alice.key()),
      List.of("query", "state"), "enum");
  }

  // ================================================================ counts

  @Test
  void countsByMonthNewestFirstWithPaging() {
    boot();
    String lib = server.createLibrary(alice, "Photos");
    uploadAt(alice, lib, "2023-12-31T23:59:59Z");
    uploadAt(alice, lib, "2024-01-15T12:00:00Z");
    uploadAt(alice, lib, "2024-03-01T00:00:00Z");
    uploadAt(alice, lib, "2024-03-10T08:00:00Z");
    String march = uploadAt(alice, lib, "2024-03-31T23:30:00Z");
    uploadAt(alice, lib, "2024-05-02T10:00:00Z");
    uploadAt(alice, lib, "2024-05-20T10:00:00Z");
    String may = uploadAt(alice, lib, "2024-05-31T10:00:00Z");

    JsonObject all = counts(alice, "/api/assets/counts?library_id=" + lib + "&group_by=month");
    assertEquals(Set.of("data", "has_more"), all.fieldNames());
    assertEquals(buckets(
      bucket("2024-05-01T00:00:00.000000", 3),
      bucket("2024-03-01T00:00:00.000000", 3),
      bucket("2024-01-01T00:00:00.000000", 1),
      bucket("2023-12-01T00:00:00.000000", 1)), all.getJsonArray("data"));
    assertFalse(all.getBoolean("has_more"));
    // group_by defaults to month; library_id to the only live library.
    assertEquals(all, counts(alice, "/api/assets/counts"));

    // Page by local_datetime_before = the last bucket of the previous page.
    JsonObject p1 = counts(alice, "/api/assets/counts?library_id=" + lib + "&limit=2");
    assertEquals(buckets(bucket("2024-05-01T00:00:00.000000", 3), bucket("2024-03-01T00:00:00.000000", 3)),
      p1.getJsonArray("data"));
    assertTrue(p1.getBoolean("has_more"));
    String last = p1.getJsonArray("data").getJsonObject(1).getString("time_bucket");
    JsonObject p2 = counts(alice, "/api/assets/counts?library_id=" + lib + "&limit=2&local_datetime_before=" + last);
    assertEquals(buckets(bucket("2024-01-01T00:00:00.000000", 1), bucket("2023-12-01T00:00:00.000000", 1)),
      p2.getJsonArray("data"));
    assertFalse(p2.getBoolean("has_more"));
    JsonObject exact = counts(alice, "/api/assets/counts?library_id=" + lib + "&limit=4");
    assertFalse(exact.getBoolean("has_more"));

    // local_datetime_after bounds from below (exclusive).
    JsonObject after = counts(alice, "/api/assets/counts?library_id=" + lib + "&local_datetime_after=2024-03-01T00:00:00Z");
    assertEquals(buckets(bucket("2024-05-01T00:00:00.000000", 3), bucket("2024-03-01T00:00:00.000000", 2)),
      after.getJsonArray("data"));

    // state: trashed assets leave live counts and show in trashed and all.
    assertDeletion(bulk(alice, "trash", lib, march, may));
    assertEquals(buckets(bucket("2024-05-01T00:00:00.000000", 2), bucket("2024-03-01T00:00:00.000000", 2),
        bucket("2024-01-01T00:00:00.000000", 1), bucket("2023-12-01T00:00:00.000000", 1)),
      counts(alice, "/api/assets/counts?library_id=" + lib).getJsonArray("data"));
    assertEquals(buckets(bucket("2024-05-01T00:00:00.000000", 1), bucket("2024-03-01T00:00:00.000000", 1)),
      counts(alice, "/api/assets/counts?library_id=" + lib + "&state=trashed").getJsonArray("data"));
    assertEquals(all.getJsonArray("data"),
      counts(alice, "/api/assets/counts?library_id=" + lib + "&state=all").getJsonArray("data"));

    // An empty library has no buckets.
    String empty = server.createLibrary(alice, "Empty");
    JsonObject none = counts(alice, "/api/assets/counts?library_id=" + empty);
    assertEquals(new JsonObject().put("data", new JsonArray()).put("has_more", false), none);

    String base = "/api/assets/counts?library_id=" + lib;
    assertValidation(server.get(base + "&group_by=year", alice.key()), List.of("query", "group_by"), "enum");
    assertValidation(server.get(base + "&state=bin", alice.key()), List.of("query", "state"), "enum");
    assertValidation(server.get(base + "&limit=0", alice.key()), List.of("query", "limit"), "greater_than_equal");
    assertValidation(server.get(base + "&limit=x", alice.key()), List.of("query", "limit"), "int_parsing");
    assertValidation(server.get(base + "&local_datetime_before=soon", alice.key()),
      List.of("query", "local_datetime_before"), null);
    assertNotFound(server.get("/api/assets/counts?library_id=" + lib, bob.key()));
  }

  // ================================================================ retention

  @Test
  void theDrainPurgesAnIndividuallyTrashedAssetOnceItsWindowIsOver() {
    boot();
    String lib = server.createLibrary(alice, "Photos");
    String old = upload(alice, lib);
    String live = upload(alice, lib);
    String later = upload(alice, lib);
    String oldKey = blobKey(old);
    assertDeletion(bulk(alice, "trash", lib, old));
    Drain drain = server.drain(10);

    assertTrue(drain.runBatch().await().idle());
    server.clock.advance(Duration.ofDays(50));
    assertDeletion(bulk(alice, "trash", lib, later));
    server.clock.advance(Duration.ofDays(39)); // day 89 for `old`
    assertTrue(drain.runBatch().await().idle(), "purged before the window ended");
    assertTrue(drain.purgeTrashedAssetsBatch().await().idle());
    assertEquals(200, server.get("/api/assets/" + old, alice.key()).statusCode());
    assertCounters(alice, lib, 3, 3L * SIZE);
    assertEvents("asset_deleted");

    server.clock.advance(Duration.ofDays(2)); // day 91 for `old`, day 41 for `later`
    Drain.Batch batch = drain.runBatch().await();
    assertEquals(List.of(uuid(old)), batch.purgedAssets());
    assertEquals(Ids.LIBRARY.parse(lib).orElseThrow(), batch.libraryId());
    assertFalse(batch.libraryRemoved());
    assertNotFound(server.get("/api/assets/" + old, alice.key()));
    assertFalse(server.storedFiles().contains(oldKey), "purged asset's file is still stored");
    assertEquals(0, server.count("SELECT count(*) FROM blob_deletions"));
    assertCounters(alice, lib, 2, 2L * SIZE);
    assertEvents("asset_deleted", old);
    server.assertInvariants();
    assertTrue(drain.runBatch().await().idle());

    // Never a live asset, however old; `later` at its own day 91, not at its day 89.
    server.clock.advance(Duration.ofDays(48));
    assertTrue(drain.runBatch().await().idle());
    server.clock.advance(Duration.ofDays(2));
    Drain.Batch second = drain.purgeTrashedAssetsBatch().await();
    assertEquals(List.of(uuid(later)), second.purgedAssets());
    assertTrue(drain.runBatch().await().idle());
    server.clock.advance(Duration.ofDays(1000));
    assertTrue(drain.runBatch().await().idle());
    assertEquals(200, server.get("/api/assets/" + live, alice.key()).statusCode());
    assertCounters(alice, lib, 1, SIZE);
    assertEvents("asset_deleted", old, later);
    assertEquals(200, server.get("/api/libraries/" + lib, alice.key()).statusCode());
    server.assertInvariants();
  }

  @Test
  void anAssetRestoredInTimeSurvivesTheWindow() {
    boot();
    String lib = server.createLibrary(alice, "Photos");
    String a = upload(alice, lib);
    String b = upload(alice, lib);
    assertDeletion(bulk(alice, "trash", lib, a, b));
    Drain drain = server.drain(10);

    server.clock.advance(Duration.ofDays(89));
    assertDeletion(bulk(alice, "restore", lib, a));
    server.clock.advance(Duration.ofDays(2));
    Drain.Batch batch = drain.runBatch().await();
    assertEquals(List.of(uuid(b)), batch.purgedAssets());
    assertTrue(drain.runBatch().await().idle());

    JsonObject kept = getAsset(alice, a);
    assertNull(kept.getValue("trashed_at"));
    assertTrue(server.storedFiles().contains(blobKey(a)));
    assertCounters(alice, lib, 1, SIZE);
    assertEvents("asset_deleted", b);

    // Trashed again, its window starts over from the new trash time.
    assertDeletion(bulk(alice, "trash", lib, a));
    server.clock.advance(Duration.ofDays(89));
    assertTrue(drain.runBatch().await().idle());
    server.clock.advance(Duration.ofDays(2));
    assertEquals(List.of(uuid(a)), drain.runBatch().await().purgedAssets());
    assertCounters(alice, lib, 0, 0);
    server.assertInvariants();
  }

  // ================================================================ dedup

  @Test
  void eightConcurrentUploadsOfTheSameBytesMakeOneAsset() {
    boot();
    String lib = server.createLibrary(alice, "Photos");
    Buffer bytes = TestServer.randomBytes(50_000);
    WebClient wide = wideClient();
    try {
      List<Future<HttpResponse<Buffer>>> uploads = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        uploads.add(uploadAsync(wide, alice, lib, "same-" + i + ".jpg", bytes));
      }
      Future.all(uploads).await();
      List<Integer> statuses = new ArrayList<>();
      Set<String> ids = new HashSet<>();
      for (Future<HttpResponse<Buffer>> f : uploads) {
        HttpResponse<Buffer> res = f.result();
        statuses.add(res.statusCode());
        assertTrue(res.statusCode() == 200 || res.statusCode() == 201, res.bodyAsString());
        ids.add(res.bodyAsJsonObject().getString("id"));
      }
      Collections.sort(statuses);
      assertEquals(List.of(200, 200, 200, 200, 200, 200, 200, 201), statuses);
      assertEquals(1, ids.size(), ids.toString());
      String id = ids.iterator().next();
      assertCounters(alice, lib, 1, 50_000);
      assertEquals(Set.of(blobKey(id)), server.storedFiles());
      assertEquals(1, server.filesUnderStorage().size(), "staged copies left: " + server.filesUnderStorage());
      assertEquals(0, server.count("SELECT count(*) FROM blob_deletions"));
      assertEquals(1, server.count("SELECT count(*) FROM events WHERE event_type = 'asset_created'"));
      server.assertInvariants();
    } finally {
      wide.close();
    }
  }

  // ================================================================ storage caps

  @Test
  void theServersDefaultUserLimitRefusesWith507AndKeepsNothing() {
    boot(s -> s.with("user_storage_limit", "5000"));
    String lib = server.createLibrary(alice, "Photos");
    String other = server.createLibrary(alice, "Other");
    Buffer first = TestServer.randomBytes(SIZE);
    upload(alice, lib, first);
    upload(alice, other, TestServer.randomBytes(SIZE)); // the account limit spans libraries
    assertEquals(2L * SIZE, server.count("SELECT sum(storage_used_bytes)::bigint FROM libraries"));

    Snapshot before = snapshot();
    assertInsufficientStorage(server.upload(alice, lib, "third.jpg", TestServer.randomBytes(SIZE)));
    before.assertUnchanged();
    // Checked before the dedup lookup: the same bytes again are refused too.
    assertInsufficientStorage(server.upload(alice, lib, "again.jpg", first));
    before.assertUnchanged();

    // Up to the limit exactly is fine.
    upload(alice, lib, TestServer.randomBytes(5000 - 2 * SIZE));
    Snapshot full = snapshot();
    assertInsufficientStorage(server.upload(alice, other, "one-byte.jpg", TestServer.randomBytes(1)));
    full.assertUnchanged();
    assertCounters(alice, lib, 2, 5000 - SIZE);
    assertCounters(alice, other, 1, SIZE);
  }

  @Test
  void trashedAssetsCountTowardsTheLimitUntilDeleted() {
    boot(s -> s.with("user_storage_limit", "5000"));
    String lib = server.createLibrary(alice, "Photos");
    String a = upload(alice, lib);
    upload(alice, lib);
    assertDeletion(bulk(alice, "trash", lib, a));
    Snapshot before = snapshot();
    assertInsufficientStorage(server.upload(alice, lib, "more.jpg", TestServer.randomBytes(SIZE)));
    before.assertUnchanged();

    assertDeletion(server.call(HttpMethod.DELETE, "/api/assets/" + a, alice.key(), null));
    assertCounters(alice, lib, 1, SIZE);
    upload(alice, lib);
    assertCounters(alice, lib, 2, 2L * SIZE);
    server.assertInvariants();
  }

  @Test
  void aUsersOwnLimitOverridesTheServerDefault() {
    boot(s -> s.with("user_storage_limit", "5000"));
    User roomy = newUser(10_000L);
    User tight = newUser(3000L);
    String roomyLib = server.createLibrary(roomy, "Roomy");
    for (int i = 0; i < 4; i++) {
      upload(roomy, roomyLib);
    }
    assertInsufficientStorage(server.upload(roomy, roomyLib, "x.jpg", TestServer.randomBytes(SIZE)));
    assertCounters(roomy, roomyLib, 4, 4L * SIZE);

    String tightLib = server.createLibrary(tight, "Tight");
    upload(tight, tightLib);
    Snapshot before = snapshot();
    assertInsufficientStorage(server.upload(tight, tightLib, "x.jpg", TestServer.randomBytes(SIZE)));
    before.assertUnchanged();

    // Bob, created without a limit, has the server's default.
    String bobs = server.createLibrary(bob, "Bob's");
    upload(bob, bobs);
    upload(bob, bobs);
    assertInsufficientStorage(server.upload(bob, bobs, "x.jpg", TestServer.randomBytes(SIZE)));
    server.assertInvariants();
  }

  @Test
  void aLibraryLimitFromCreateAndPatchRefusesWith507() {
    boot();
    HttpResponse<Buffer> created = server.post("/api/libraries", alice.key(),
      new JsonObject().put("name", "Capped").put("storage_limit_bytes", 2 * SIZE));
    assertEquals(201, created.statusCode(), created.bodyAsString());
    assertEquals(2 * SIZE, created.bodyAsJsonObject().getLong("storage_limit_bytes"));
    String lib = created.bodyAsJsonObject().getString("id");
    String free = server.createLibrary(alice, "Free");
    Buffer first = TestServer.randomBytes(SIZE);
    upload(alice, lib, first);
    upload(alice, lib);

    Snapshot before = snapshot();
    assertInsufficientStorage(server.upload(alice, lib, "third.jpg", TestServer.randomBytes(SIZE)));
    before.assertUnchanged();
    // The same bytes again: refused before the dedup lookup.
    assertInsufficientStorage(server.upload(alice, lib, "again.jpg", first));
    before.assertUnchanged();
    // Another library of the same user is not capped; dedup there is per library.
    assertEquals(201, server.upload(alice, free, "first.jpg", first).statusCode());

    // Raise the limit by PATCH: one more fits.
    HttpResponse<Buffer> raised = server.call(HttpMethod.PATCH, "/api/libraries/" + lib, alice.key(),
      new JsonObject().put("storage_limit_bytes", 3 * SIZE));
    assertEquals(200, raised.statusCode(), raised.bodyAsString());
    assertEquals(3 * SIZE, raised.bodyAsJsonObject().getLong("storage_limit_bytes"));
    upload(alice, lib);
    assertInsufficientStorage(server.upload(alice, lib, "fourth.jpg", TestServer.randomBytes(SIZE)));
    // A duplicate in a full library is refused even though it would store nothing.
    assertInsufficientStorage(server.upload(alice, lib, "dup.jpg", first));

    // Null lifts it.
    HttpResponse<Buffer> lifted = server.call(HttpMethod.PATCH, "/api/libraries/" + lib, alice.key(),
      new JsonObject().put("storage_limit_bytes", (Object) null));
    assertEquals(200, lifted.statusCode(), lifted.bodyAsString());
    assertNull(lifted.bodyAsJsonObject().getValue("storage_limit_bytes"));
    upload(alice, lib);
    assertEquals(200, server.upload(alice, lib, "dup.jpg", first).statusCode());
    assertCounters(alice, lib, 4, 4L * SIZE);
    assertValidation(server.post("/api/libraries", alice.key(),
      new JsonObject().put("name", "Neg").put("storage_limit_bytes", -1)), List.of("body", "storage_limit_bytes"), null);
    server.assertInvariants();
  }

  @Test
  void concurrentUploadsCannotOvershootALibraryLimit() {
    boot();
    HttpResponse<Buffer> created = server.post("/api/libraries", alice.key(),
      new JsonObject().put("name", "Capped").put("storage_limit_bytes", 3 * SIZE));
    assertEquals(201, created.statusCode(), created.bodyAsString());
    String lib = created.bodyAsJsonObject().getString("id");
    assertConcurrentUploadsStopAtThree(alice, lib);
  }

  @Test
  void concurrentUploadsCannotOvershootAUserLimit() {
    boot();
    User capped = newUser(3L * SIZE);
    String lib = server.createLibrary(capped, "Photos");
    assertConcurrentUploadsStopAtThree(capped, lib);
  }

  @Test
  void concurrentUploadsCannotOvershootTheServersDefaultUserLimitAcrossLibraries() {
    boot(s -> s.with("user_storage_limit", String.valueOf(3 * SIZE)));
    String one = server.createLibrary(alice, "One");
    String two = server.createLibrary(alice, "Two");
    WebClient wide = wideClient();
    try {
      List<Future<HttpResponse<Buffer>>> uploads = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        uploads.add(uploadAsync(wide, alice, i % 2 == 0 ? one : two, "p" + i + ".jpg", TestServer.randomBytes(SIZE)));
      }
      Future.all(uploads).await();
      assertEquals(3, statuses(uploads).stream().filter(s -> s == 201).count(), statuses(uploads).toString());
      long used = server.count("SELECT sum(storage_used_bytes) FROM libraries");
      assertTrue(used <= 3L * SIZE, "the account holds " + used + " bytes");
      server.assertInvariants();
    } finally {
      wide.close();
    }
  }

  // ================================================================ metadata from the file

  @Test
  void exifGivesWidthHeightAndCaptureTimeElseFileCreatedAt() {
    boot();
    String lib = server.createLibrary(alice, "Photos");
    byte[] withExif = PhotoMetadataTest.withExif(PhotoMetadataTest.jpeg(64, 48), new PhotoMetadataTest.Exif()
      .orientation(1)
      .dateTimeOriginal("2021:07:14 18:30:05")
      .offsetTimeOriginal("+02:00")
      .exifImageSize(64, 48));
    HttpResponse<Buffer> res = server.upload(alice, lib, "IMG_1234.JPG", Buffer.buffer(withExif),
      "2024-02-02T02:02:02Z");
    assertEquals(201, res.statusCode(), res.bodyAsString());
    JsonObject asset = res.bodyAsJsonObject();
    assertEquals(64, asset.getInteger("width"), asset.encode());
    assertEquals(48, asset.getInteger("height"), asset.encode());
    assertEquals(64, server.assetUrls(alice, asset.getString("id")).getJsonObject("original").getInteger("width"));
    // The camera's wall clock, with the offset OffsetTimeOriginal gives it.
    assertEquals("2021-07-14T18:30:05.000000+02:00", asset.getString("local_datetime"));
    assertEquals("image/jpeg", asset.getString("mime_type"));
    JsonObject stored = getAsset(alice, asset.getString("id"));
    assertEquals(64, stored.getInteger("width"));
    assertEquals("2021-07-14T18:30:05.000000+02:00", stored.getString("local_datetime"));
    assertEquals(buckets(bucket("2021-07-01T00:00:00.000000", 1)),
      counts(alice, "/api/assets/counts?library_id=" + lib).getJsonArray("data"));

    // Without EXIF: the size from the image itself, the capture time from file_created_at.
    byte[] plainJpeg = PhotoMetadataTest.jpeg(40, 30);
    HttpResponse<Buffer> plain = server.upload(alice, lib, "plain.jpg", Buffer.buffer(plainJpeg),
      "2019-03-04T05:06:07+01:00");
    assertEquals(201, plain.statusCode(), plain.bodyAsString());
    assertEquals(40, plain.bodyAsJsonObject().getInteger("width"));
    assertEquals(30, plain.bodyAsJsonObject().getInteger("height"));
    assertEquals("2019-03-04T05:06:07.000000+01:00", plain.bodyAsJsonObject().getString("local_datetime"));

    // Bytes that are no image at all: no size, capture time from file_created_at.
    HttpResponse<Buffer> noise = server.upload(alice, lib, "noise.jpg", TestServer.randomBytes(700),
      "2018-08-08T08:08:08Z");
    assertEquals(201, noise.statusCode(), noise.bodyAsString());
    assertNull(noise.bodyAsJsonObject().getValue("width"));
    assertNull(noise.bodyAsJsonObject().getValue("height"));
    assertEquals("2018-08-08T08:08:08.000000Z", noise.bodyAsJsonObject().getString("local_datetime"));
    assertCounters(alice, lib, 3, withExif.length + plainJpeg.length + 700L);
    server.assertInvariants();
  }

  @Test
  void anEmptyFileIs422AndKeepsNothing() {
    boot();
    String lib = server.createLibrary(alice, "Photos");
    upload(alice, lib);
    Snapshot before = snapshot();
    HttpResponse<Buffer> res = server.upload(alice, lib, "empty.jpg", Buffer.buffer());
    assertValidation(res, List.of("body", "asset_data"), null);
    before.assertUnchanged();
    assertEquals(1, server.count("SELECT count(*) FROM events WHERE event_type = 'asset_created'"));
    server.assertInvariants();
  }

  // ================================================================ helpers

  private void assertConcurrentUploadsStopAtThree(User user, String lib) {
    WebClient wide = wideClient();
    try {
      Set<Path> filesBefore = server.filesUnderStorage();
      List<Future<HttpResponse<Buffer>>> uploads = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        uploads.add(uploadAsync(wide, user, lib, "p" + i + ".jpg", TestServer.randomBytes(SIZE)));
      }
      Future.all(uploads).await();
      List<Integer> statuses = statuses(uploads);
      assertEquals(3, statuses.stream().filter(s -> s == 201).count(), statuses.toString());
      assertEquals(7, statuses.stream().filter(s -> s == 507).count(), statuses.toString());
      for (Future<HttpResponse<Buffer>> f : uploads) {
        if (f.result().statusCode() == 507) {
          assertEquals("false", f.result().getHeader("x-should-retry"));
          assertTrue(f.result().bodyAsJsonObject().getValue("detail") instanceof String);
        }
      }
      JsonObject library = server.get("/api/libraries/" + lib, user.key()).bodyAsJsonObject();
      assertTrue(library.getLong("storage_used_bytes") <= 3L * SIZE, library.encode());
      assertCounters(user, lib, 3, 3L * SIZE);
      assertEquals(filesBefore.size() + 3, server.filesUnderStorage().size(),
        "refused uploads left files: " + server.filesUnderStorage());
      assertEquals(0, server.count("SELECT count(*) FROM blob_deletions"));
      assertEquals(3, server.count("SELECT count(*) FROM events WHERE event_type = 'asset_created'"));
      server.assertInvariants();
    } finally {
      wide.close();
    }
  }

  private static List<Integer> statuses(List<Future<HttpResponse<Buffer>>> uploads) {
    List<Integer> out = new ArrayList<>();
    uploads.forEach(f -> out.add(f.result().statusCode()));
    Collections.sort(out);
    return out;
  }

  /** A client that really sends requests side by side (the default pool allows only 5 connections). */
  private WebClient wideClient() {
    return WebClient.create(vertx, new WebClientOptions().setDefaultHost("localhost").setDefaultPort(server.app.port()),
      new PoolOptions().setHttp1MaxSize(32));
  }

  private static Future<HttpResponse<Buffer>> uploadAsync(WebClient client, User user, String lib, String name,
                                                          Buffer bytes) {
    MultipartForm form = MultipartForm.create()
      .attribute("device_asset_id", "device-asset-" + UUID.randomUUID())
      .attribute("device_id", "test-device")
      .attribute("file_created_at", "2024-05-01T10:00:00Z")
      .attribute("file_modified_at", "2024-05-01T10:00:00Z")
      .binaryFileUpload("asset_data", name, bytes, "application/octet-stream");
    return client.post("/api/assets").bearerTokenAuthentication(user.key()).addQueryParam("library_id", lib)
      .sendMultipartForm(form);
  }

  private User newUser(Long limit) {
    JsonObject created = Users.create(server.app.pool(), "user-" + UUID.randomUUID() + "@example.org", limit).await();
    return new User(created.getString("user_id"), created.getString("api_key"));
  }

  private String upload(User user, String lib) {
    return upload(user, lib, TestServer.randomBytes(SIZE));
  }

  private String upload(User user, String lib, Buffer bytes) {
    HttpResponse<Buffer> res = server.upload(user, lib, "p-" + UUID.randomUUID() + ".jpg", bytes);
    assertEquals(201, res.statusCode(), res.bodyAsString());
    return res.bodyAsJsonObject().getString("id");
  }

  private String uploadAt(User user, String lib, String fileCreatedAt) {
    HttpResponse<Buffer> res = server.upload(user, lib, "p-" + UUID.randomUUID() + ".jpg",
      TestServer.randomBytes(SIZE), fileCreatedAt);
    assertEquals(201, res.statusCode(), res.bodyAsString());
    return res.bodyAsJsonObject().getString("id");
  }

  private HttpResponse<Buffer> bulk(User user, String op, String lib, String... ids) {
    return op(op, user, lib, idsBody(ids));
  }

  private HttpResponse<Buffer> deleteMany(User user, String lib, String... ids) {
    return op("delete", user, lib, idsBody(ids));
  }

  /** trash, restore or delete, with any body. */
  private HttpResponse<Buffer> op(String op, User user, String lib, JsonObject body) {
    String query = lib == null ? "" : "?library_id=" + lib;
    return "delete".equals(op)
      ? server.call(HttpMethod.DELETE, "/api/assets" + query, user.key(), body)
      : server.post("/api/assets/" + op + query, user.key(), body);
  }

  private HttpResponse<Buffer> emptyTrash(User user, String lib) {
    return server.post("/api/assets/empty-trash" + (lib == null ? "" : "?library_id=" + lib), user.key(), null);
  }

  private static JsonObject idsBody(String... ids) {
    return new JsonObject().put("ids", new JsonArray(List.of((Object[]) ids)));
  }

  private JsonObject getAsset(User user, String id) {
    HttpResponse<Buffer> res = server.get("/api/assets/" + id, user.key());
    assertEquals(200, res.statusCode(), res.bodyAsString());
    return res.bodyAsJsonObject();
  }

  private List<JsonObject> list(User user, String path) {
    return page(server.get(path, user.key())).getJsonArray("data").stream().map(o -> (JsonObject) o).toList();
  }

  private List<String> listIds(User user, String path) {
    return ids(page(server.get(path + (path.contains("?") ? "&" : "?") + "limit=200", user.key())));
  }

  private static JsonObject page(HttpResponse<Buffer> res) {
    assertEquals(200, res.statusCode(), res.bodyAsString());
    JsonObject page = res.bodyAsJsonObject();
    assertEquals(Set.of("data", "has_more"), page.fieldNames(), page.encode());
    return page;
  }

  private static List<String> ids(JsonObject page) {
    return page.getJsonArray("data").stream().map(o -> ((JsonObject) o).getString("id")).toList();
  }

  private JsonObject counts(User user, String path) {
    HttpResponse<Buffer> res = server.get(path, user.key());
    assertEquals(200, res.statusCode(), res.bodyAsString());
    return res.bodyAsJsonObject();
  }

  private static JsonObject bucket(String timeBucket, long count) {
    return new JsonObject().put("time_bucket", timeBucket).put("count", count);
  }

  private static JsonArray buckets(JsonObject... buckets) {
    return new JsonArray(List.of((Object[]) buckets));
  }

  private static UUID uuid(String assetId) {
    return Ids.ASSET.parse(assetId).orElseThrow();
  }

  private String blobKey(String assetId) {
    return server.sql("SELECT blob_key FROM assets WHERE id = $1", uuid(assetId)).iterator().next().getString(0);
  }

  private Instant trashedAtInDb(String assetId) {
    return server.sql("SELECT trashed_at FROM assets WHERE id = $1", uuid(assetId)).iterator().next()
      .getOffsetDateTime(0).toInstant();
  }

  /** The counters as the API reports them and as stored, and both against the rows. */
  private void assertCounters(User owner, String library, long assets, long bytes) {
    JsonObject lib = server.get("/api/libraries/" + library, owner.key()).bodyAsJsonObject();
    assertEquals(assets, lib.getLong("asset_count"), lib.encode());
    assertEquals(bytes, lib.getLong("storage_used_bytes"), lib.encode());
    UUID id = Ids.LIBRARY.parse(library).orElseThrow();
    Row row = server.sql("SELECT asset_count, storage_used_bytes FROM libraries WHERE id = $1", id).iterator().next();
    assertEquals(assets, row.getLong("asset_count"));
    assertEquals(bytes, row.getLong("storage_used_bytes"));
    assertEquals(assets, server.count("SELECT count(*) FROM assets WHERE library_id = $1", id));
    assertEquals(bytes, server.count("SELECT coalesce(sum(size_bytes), 0)::bigint FROM assets WHERE library_id = $1", id));
  }

  /** Exactly these entity ids (with repeats) have an event of this type; none other does. */
  /** {@code type} is an event type, or {@code asset_updated:<change>} for an update of that kind. */
  private void assertEvents(String type, String... ids) {
    List<String> actual = new ArrayList<>();
    server.sql(EVENTS_OF_TYPE, type).forEach(r -> actual.add(r.getString(0)));
    List<String> expected = new ArrayList<>(List.of(ids));
    Collections.sort(actual);
    Collections.sort(expected);
    assertEquals(expected, actual, type + " events");
    server.sql(EVENTS_OF_TYPE.replace("entity_id", "entity_type"), type)
      .forEach(r -> assertEquals("asset", r.getString(0), type));
  }

  private static final String EVENTS_OF_TYPE = """
    SELECT entity_id FROM events
     WHERE CASE WHEN event_type = 'asset_updated' THEN 'asset_updated:' || (payload->>'change') ELSE event_type END = $1""";

  private long countEvents(String type, String id) {
    return server.count("SELECT count(*) FROM (" + EVENTS_OF_TYPE + ") e WHERE entity_id = $2", type, id);
  }

  /** Everything a refused or no-op request must leave as it was. */
  private record Snapshot(TestServer server, List<String> assets, Set<Path> files, List<String> counters,
                          long events, long deletions) {
    void assertUnchanged() {
      Snapshot now = take(server);
      assertEquals(assets, now.assets, "asset rows changed");
      assertEquals(counters, now.counters, "library counters changed");
      assertEquals(files, now.files, "files under storage changed");
      assertEquals(events, now.events, "events written");
      assertEquals(deletions, now.deletions, "deletions listed");
      server.assertInvariants();
    }

    static Snapshot take(TestServer server) {
      List<String> assets = new ArrayList<>();
      server.sql("SELECT id, library_id, trashed_at, updated_at FROM assets ORDER BY id")
        .forEach(r -> assets.add(r.toJson().encode()));
      List<String> counters = new ArrayList<>();
      server.sql("SELECT id, asset_count, storage_used_bytes FROM libraries ORDER BY id")
        .forEach(r -> counters.add(r.toJson().encode()));
      return new Snapshot(server, assets, server.filesUnderStorage(), counters,
        server.count("SELECT count(*) FROM events"), server.count("SELECT count(*) FROM blob_deletions"));
    }
  }

  private Snapshot snapshot() {
    return Snapshot.take(server);
  }

  private static void assertDeletion(HttpResponse<Buffer> res) {
    assertEquals(200, res.statusCode(), res.bodyAsString());
    assertEquals(new JsonObject(), res.bodyAsJsonObject());
  }

  private static void assertNotFound(HttpResponse<Buffer> res) {
    assertEquals(404, res.statusCode(), res.bodyAsString());
    assertEquals(new JsonObject().put("detail", "Not found"), res.bodyAsJsonObject());
  }

  private static void assertBadRequest(HttpResponse<Buffer> res) {
    assertEquals(400, res.statusCode(), res.bodyAsString());
    assertTrue(res.bodyAsJsonObject().getValue("detail") instanceof String, res.bodyAsString());
  }

  private static void assertInsufficientStorage(HttpResponse<Buffer> res) {
    assertEquals(507, res.statusCode(), res.bodyAsString());
    assertEquals("false", res.getHeader("x-should-retry"));
    assertTrue(res.bodyAsJsonObject().getValue("detail") instanceof String, res.bodyAsString());
    assertFalse(res.bodyAsJsonObject().getString("detail").isBlank());
  }

  private static void assertValidation(HttpResponse<Buffer> res, List<Object> loc, String type) {
    assertEquals(422, res.statusCode(), res.bodyAsString());
    JsonArray detail = res.bodyAsJsonObject().getJsonArray("detail");
    assertFalse(detail.isEmpty(), res.bodyAsString());
    JsonObject first = detail.getJsonObject(0);
    assertEquals(new JsonArray(loc), first.getJsonArray("loc"), res.bodyAsString());
    if (type != null) {
      assertEquals(type, first.getString("type"), res.bodyAsString());
    }
    assertNotNull(first.getString("msg"));
  }
}
