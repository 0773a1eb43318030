package org.eucalypt.album;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.eucalypt.drain.Drain;
import org.eucalypt.id.Ids;
import org.eucalypt.support.TestServer;
import org.eucalypt.support.TestServer.User;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Albums inside the library's one trash lifecycle, against real PostgreSQL and storage: a trashed
 * library's albums vanish without a row of theirs being touched and come back on restore; the
 * drain purges memberships with their assets, then the albums, then the library, leaving nothing;
 * every permanent delete of an asset takes its memberships, with their events.
 */
@ExtendWith(VertxExtension.class)
class AlbumLifecycleTest {
  private TestServer server;
  private AlbumTesting albums;
  private User alice;

  @BeforeEach
  void boot(Vertx vertx) {
    server = TestServer.start(vertx);
    albums = new AlbumTesting(server);
    alice = server.newUser();
  }

  @AfterEach
  void stop() {
    server.stop();
  }

  // ---------------------------------------------------------------- library trash and restore

  @Test
  void aTrashedLibrarysAlbumsAnswer404AndComeBackOnRestoreUntouched() {
    String lib = server.createLibrary(alice, "Photos");
    String keep = server.createLibrary(alice, "Kept");
    String a = albums.upload(alice, lib, "2024-01-01T10:00:00Z");
    String b = albums.upload(alice, lib, "2024-02-01T10:00:00Z");
    String album = albums.createId(alice, lib);
    albums.add(alice, album, a, b);
    String kept = albums.createId(alice, keep);
    String link = albums.ids(alice, "/api/album-assets?library_id=" + lib).get(0);
    JsonObject before = albums.get(alice, album);
    String rows = albumRows();

    assertEquals(200, server.post("/api/libraries/" + lib + "/trash", alice.key(), null).statusCode());
    // One library row changed: no album or membership row did.
    assertEquals(rows, albumRows());
    assertEquals(404, server.get("/api/albums/" + album, alice.key()).statusCode());
    assertEquals(404, server.get("/api/albums?library_id=" + lib, alice.key()).statusCode());
    assertEquals(404, server.get("/api/album-assets?library_id=" + lib, alice.key()).statusCode());
    assertEquals(404, server.get("/api/album-assets/" + link, alice.key()).statusCode());
    assertEquals(404, albums.patch(alice, album, new JsonObject().put("name", "x")).statusCode());
    assertEquals(404, albums.addCall(alice, album, a).statusCode());
    assertEquals(404, albums.removeCall(alice, album, a).statusCode());
    assertEquals(404, server.call(HttpMethod.DELETE, "/api/albums/" + album, alice.key(), null).statusCode());
    assertEquals(404, server.get("/api/assets?library_id=" + lib + "&album_id=" + album, alice.key()).statusCode());
    // The sole live library is now the other one: its list, with only its album.
    assertEquals(List.of(kept), albums.ids(alice, "/api/albums"));
    assertEquals(List.of(), albums.ids(alice, "/api/album-assets"));
    assertEquals(rows, albumRows());

    assertEquals(200, server.post("/api/libraries/" + lib + "/restore", alice.key(), null).statusCode());
    assertEquals(before, albums.get(alice, album));
    assertEquals(List.of(album), albums.ids(alice, "/api/albums?library_id=" + lib));
    assertEquals(List.of(link, albums.ids(alice, "/api/album-assets?library_id=" + lib).get(1)),
      albums.ids(alice, "/api/album-assets?library_id=" + lib));
    assertEquals(List.of(b, a), albums.ids(alice, "/api/assets?library_id=" + lib + "&album_id=" + album));
  }

  // ---------------------------------------------------------------- the drain

  @Test
  void theDrainPurgesMembershipsWithAssetsThenAlbumsThenTheLibraryAndLeavesNothing() {
    String lib = server.createLibrary(alice, "Doomed");
    String other = server.createLibrary(alice, "Other");
    List<String> assets = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      assets.add(albums.upload(alice, lib, "2024-0" + (i + 1) + "-01T10:00:00Z"));
    }
    String all = albums.createId(alice, lib);
    String some = albums.createId(alice, lib);
    String empty = albums.createId(alice, lib);
    albums.add(alice, all, assets.toArray(String[]::new));
    albums.add(alice, some, assets.get(0), assets.get(3));
    String survivor = albums.upload(alice, other);
    String otherAlbum = albums.createId(alice, other);
    albums.add(alice, otherAlbum, survivor);
    UUID library = Ids.LIBRARY.parse(lib).orElseThrow();
    UUID[] albumIds = uuids(Ids.ALBUM, all, some, empty);
    UUID[] assetIds = uuids(Ids.ASSET, assets.toArray(String[]::new));

    assertEquals(200, server.post("/api/libraries/" + lib + "/trash", alice.key(), null).statusCode());
    assertEquals(200, server.call(HttpMethod.DELETE, "/api/libraries/" + lib, alice.key(), null).statusCode());

    Drain drain = server.drain(2);
    List<Drain.Batch> batches = new ArrayList<>();
    while (true) {
      Drain.Batch batch = drain.purgeLibraryBatch().await();
      if (batch.idle()) {
        break;
      }
      batches.add(batch);
      assertTrue(batch.progressed(), batch.toJson().encode());
      // After every batch: counters exact, no membership without its asset, and the albums stay
      // until the last asset has gone.
      server.assertInvariants();
      assertEquals(0, server.count("SELECT count(*) FROM album_assets m LEFT JOIN assets a ON a.id = m.asset_id WHERE a.id IS NULL"));
      long assetsLeft = server.count("SELECT count(*) FROM assets WHERE library_id = $1", library);
      long albumsLeft = server.count("SELECT count(*) FROM albums WHERE library_id = $1", library);
      if (assetsLeft > 0) {
        assertEquals(3, albumsLeft);
      }
      assertEquals(server.count("SELECT count(*) FROM album_assets WHERE asset_id = ANY($1)", (Object) assetIds),
        server.count("SELECT count(*) FROM album_assets WHERE album_id = ANY($1)", (Object) albumIds));
    }
    // 5 assets in batches of 2, then the 3 albums in batches of 2, the library with the last.
    assertEquals(List.of(2, 2, 1, 0), batches.stream().map(b -> b.purgedAssets().size()).toList());
    assertEquals(List.of(0, 0, 2, 1), batches.stream().map(Drain.Batch::purgedContents).toList());
    assertEquals(List.of(false, false, false, true), batches.stream().map(Drain.Batch::libraryRemoved).toList());

    // Nothing of the library is left, in any table.
    assertEquals(0, server.count("SELECT count(*) FROM libraries WHERE id = $1", library));
    assertEquals(0, server.count("SELECT count(*) FROM assets WHERE library_id = $1", library));
    assertEquals(0, server.count("SELECT count(*) FROM albums WHERE library_id = $1", library));
    assertEquals(0, server.count("SELECT count(*) FROM album_assets WHERE album_id = ANY($1) OR asset_id = ANY($2)",
      albumIds, assetIds));
    assertEquals(0, server.count("SELECT count(*) FROM tasks WHERE asset_id = ANY($1)", (Object) assetIds));
    assertEquals(0, server.count("SELECT count(*) FROM renditions WHERE asset_id = ANY($1)", (Object) assetIds));
    assertEquals(0, server.count("SELECT count(*) FROM asset_metadata WHERE asset_id = ANY($1)", (Object) assetIds));
    assertEquals(0, server.count("SELECT count(*) FROM api_key_libraries WHERE library_id = $1", library));
    assertEquals(0, server.count("SELECT count(*) FROM stacks WHERE library_id = $1", library));
    server.assertInvariants();

    // The feed says so: every membership removed, every asset and album deleted, the library last.
    List<String> feed = albums.events(alice, lib, "album,album_asset,asset,library");
    assertEquals(7, feed.stream().filter(e -> e.startsWith("album_asset_removed ")).count(), feed.toString());
    assertEquals(Set.of("album_deleted " + all, "album_deleted " + some, "album_deleted " + empty),
      Set.copyOf(feed.stream().filter(e -> e.startsWith("album_deleted ")).toList()));
    assertEquals(5, feed.stream().filter(e -> e.startsWith("asset_deleted ")).count());
    assertEquals("library_purged " + lib, feed.get(feed.size() - 1));
    // Each membership's removal precedes its asset's deletion.
    for (String asset : assets) {
      int deleted = feed.indexOf("asset_deleted " + asset);
      for (int i = 0; i < feed.size(); i++) {
        if (feed.get(i).startsWith("album_asset_removed ") && feed.get(i).endsWith(" " + asset)) {
          assertTrue(i < deleted, feed.toString());
        }
      }
    }

    // The other library is whole.
    JsonObject kept = albums.get(alice, otherAlbum);
    assertEquals(1L, kept.getLong("asset_count"));
    assertEquals(survivor, kept.getString("album_cover_asset_id"));
  }

  @Test
  void aRestoreMidPurgeBringsBackAlbumsThatListOnlyWhatIsLeft() {
    String lib = server.createLibrary(alice, "Photos");
    List<String> assets = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      assets.add(albums.upload(alice, lib, "2024-0" + (i + 1) + "-01T10:00:00Z"));
    }
    String album = albums.createId(alice, lib);
    albums.add(alice, album, assets.toArray(String[]::new));
    albums.patch(alice, album, new JsonObject().put("album_cover_asset_id", assets.get(0)));
    assertEquals(200, server.post("/api/libraries/" + lib + "/trash", alice.key(), null).statusCode());
    assertEquals(200, server.call(HttpMethod.DELETE, "/api/libraries/" + lib, alice.key(), null).statusCode());

    Drain.Batch batch = server.drain(2).purgeLibraryBatch().await();
    assertEquals(2, batch.purgedAssets().size());
    assertEquals(200, server.post("/api/libraries/" + lib + "/restore", alice.key(), null).statusCode());
    assertTrue(server.drain(2).purgeLibraryBatch().await().idle());

    List<String> purged = batch.purgedAssets().stream().map(Ids.ASSET::format).toList();
    List<String> left = new ArrayList<>(assets);
    left.removeAll(purged);
    JsonObject got = albums.get(alice, album);
    assertEquals(3L, got.getLong("asset_count"));
    assertEquals(Set.copyOf(left), Set.copyOf(albums.page(alice, "/api/album-assets?album_id=" + album).stream()
      .map(o -> ((JsonObject) o).getString("asset_id")).toList()));
    assertEquals(Set.copyOf(left), Set.copyOf(albums.ids(alice, "/api/assets?album_id=" + album)));
    List<String> leftByTime = new ArrayList<>(left);
    Collections.sort(leftByTime, (x, y) -> Integer.compare(assets.indexOf(x), assets.indexOf(y)));
    assertEquals(String.format("2024-0%d-01T10:00:00.000000", assets.indexOf(leftByTime.get(0)) + 1), got.getString("start_date"));
    // The chosen cover was the first asset, purged first (batches go by capture time): the server
    // picks again, the oldest of what is left.
    assertTrue(purged.contains(assets.get(0)), purged.toString());
    assertEquals(leftByTime.get(0), got.getString("album_cover_asset_id"));
    assertEquals(0, server.count("SELECT count(*) FROM albums WHERE cover_asset_id IS NOT NULL"));
    server.assertInvariants();
  }

  // ---------------------------------------------------------------- permanent deletes of assets

  @Test
  void everyPermanentDeleteOfAnAssetTakesItsMembershipsWithTheirEvents() {
    String lib = server.createLibrary(alice, "Photos");
    String one = albums.upload(alice, lib, "2024-01-01T10:00:00Z");
    String bulk = albums.upload(alice, lib, "2024-02-01T10:00:00Z");
    String emptied = albums.upload(alice, lib, "2024-03-01T10:00:00Z");
    String retained = albums.upload(alice, lib, "2024-04-01T10:00:00Z");
    String stays = albums.upload(alice, lib, "2024-05-01T10:00:00Z");
    String first = albums.createId(alice, lib);
    String second = albums.createId(alice, lib);
    albums.add(alice, first, one, bulk, emptied, retained, stays);
    albums.add(alice, second, one, retained);
    albums.patch(alice, second, new JsonObject().put("album_cover_asset_id", one));

    // delete_asset
    assertEquals(200, server.call(HttpMethod.DELETE, "/api/assets/" + one, alice.key(), null).statusCode());
    assertMembers(lib, first, bulk, emptied, retained, stays);
    assertMembers(lib, second, retained);
    assertEquals(retained, albums.get(alice, second).getString("album_cover_asset_id"));
    assertRemovedEvents(lib, one, first, second);

    // delete_assets
    albums.assets(alice, "delete", lib, bulk);
    assertMembers(lib, first, emptied, retained, stays);
    assertRemovedEvents(lib, bulk, first);

    // empty-trash
    albums.assets(alice, "trash", lib, emptied);
    assertEquals(200, server.post("/api/assets/empty-trash?library_id=" + lib, alice.key(), null).statusCode());
    assertMembers(lib, first, retained, stays);
    assertRemovedEvents(lib, emptied, first);

    // The drain's retention purge of an asset trashed on its own.
    albums.assets(alice, "trash", lib, retained);
    server.clock.advance(server.app.settings().assetTrashRetention().plusMinutes(1));
    Drain.Batch batch = server.drain(10).purgeTrashedAssetsBatch().await();
    assertEquals(List.of(Ids.ASSET.parse(retained).orElseThrow()), batch.purgedAssets());
    assertMembers(lib, first, stays);
    assertMembers(lib, second);
    assertRemovedEvents(lib, retained, first, second);

    JsonObject got = albums.get(alice, second);
    assertEquals(0L, got.getLong("asset_count"));
    assertNull(got.getValue("album_cover_asset_id"));
    assertEquals(1L, albums.get(alice, first).getLong("asset_count"));
    assertEquals(0, server.count("SELECT count(*) FROM albums WHERE cover_asset_id IS NOT NULL"));
    server.assertInvariants();
  }

  @Test
  void anAddThatDeadlocksAnswers409AndChangesNothing() {
    String lib = server.createLibrary(alice, "Photos");
    String album = albums.createId(alice, lib);
    String[] both = {albums.upload(alice, lib), albums.upload(alice, lib)};
    java.util.Arrays.sort(both, java.util.Comparator.comparing(i -> Ids.ASSET.parse(i).orElseThrow()));
    UUID first = Ids.ASSET.parse(both[0]).orElseThrow();
    UUID last = Ids.ASSET.parse(both[1]).orElseThrow();
    String rows = albumRows();
    // Another transaction locks the assets the other way round: the last one now, the first one
    // once the add (which locks in id order) holds it and waits for the last. Its own deadlock
    // check waits 30 s, so PostgreSQL's check in the add's backend (after 1 s) breaks the cycle.
    io.vertx.sqlclient.SqlConnection other = server.app.pool().getConnection().await();
    try {
      other.begin().await();
      other.query("SET LOCAL deadlock_timeout = '30s'").execute().await();
      other.preparedQuery("SELECT 1 FROM assets WHERE id = $1 FOR UPDATE").execute(io.vertx.sqlclient.Tuple.of(last)).await();
      io.vertx.core.Future<HttpResponse<Buffer>> add = server.client.post("/api/albums/" + album + "/assets")
        .bearerTokenAuthentication(alice.key()).sendJsonObject(AlbumTesting.assetIds(both));
      org.awaitility.Awaitility.await("the add waits for the last asset").atMost(java.time.Duration.ofSeconds(10))
        .until(() -> server.count("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
          + " AND wait_event_type = 'Lock' AND query LIKE '%FOR SHARE%'") == 1);
      io.vertx.core.Future<?> crossing = other.preparedQuery("SELECT 1 FROM assets WHERE id = $1 FOR UPDATE")
        .execute(io.vertx.sqlclient.Tuple.of(first));

      HttpResponse<Buffer> res = add.await();
      assertEquals(409, res.statusCode(), res.bodyAsString());
      assertTrue(res.bodyAsJsonObject().getString("detail").contains("retry"), res.bodyAsString());
      assertEquals("true", res.getHeader("x-should-retry"), "the SDKs may send it again on their own");
      crossing.await();  // the add rolled back, so the other transaction got its lock
    } finally {
      other.close().await();  // and rolls back
    }
    assertEquals(rows, albumRows());
    assertEquals(0L, albums.get(alice, album).getLong("asset_count"));
    // Sent again, it goes through.
    albums.add(alice, album, both);
    assertEquals(2L, albums.get(alice, album).getLong("asset_count"));
    server.assertInvariants();
  }

  @Test
  void anAssetRowCannotGoWithoutItsMemberships() {
    String lib = server.createLibrary(alice, "Photos");
    String asset = albums.upload(alice, lib);
    albums.add(alice, albums.createId(alice, lib), asset);
    // A path that forgot the memberships would fail at commit, not leave one dangling.
    UUID id = Ids.ASSET.parse(asset).orElseThrow();
    Throwable failed = null;
    try {
      server.app.pool().withTransaction(tx -> tx.preparedQuery("DELETE FROM assets WHERE id = $1")
        .execute(io.vertx.sqlclient.Tuple.of(id))).await();
    } catch (Throwable e) {
      failed = e;
    }
    assertTrue(failed != null && failed.getMessage().contains("album_assets"), String.valueOf(failed));
    assertEquals(1, server.count("SELECT count(*) FROM assets WHERE id = $1", id));
    assertEquals(1, server.count("SELECT count(*) FROM album_assets WHERE asset_id = $1", id));
  }

  @Test
  void anyChangeOfAnAssetsCaptureTimeOrTrashStateMovesItsAlbums() {
    String lib = server.createLibrary(alice, "Photos");
    String a = albums.upload(alice, lib, "2024-01-01T10:00:00Z");
    String b = albums.upload(alice, lib, "2024-02-01T10:00:00Z");
    String first = albums.createId(alice, lib);
    String second = albums.createId(alice, lib);
    albums.add(alice, first, a, b);
    albums.add(alice, second, a);
    UUID id = Ids.ASSET.parse(a).orElseThrow();

    // However an asset's capture time changes (an edit path added later, here plain SQL), every
    // album holding it follows in the same transaction.
    server.sql("UPDATE assets SET local_datetime = '2025-06-01T09:30:00' WHERE id = $1", id);
    JsonObject got = albums.get(alice, first);
    assertEquals("2024-02-01T10:00:00.000000", got.getString("start_date"));
    assertEquals("2025-06-01T09:30:00.000000", got.getString("end_date"));
    assertEquals(b, got.getString("album_cover_asset_id"));
    assertEquals("2025-06-01T09:30:00.000000", albums.get(alice, second).getString("start_date"));

    // And its trash state, by whatever path.
    server.sql("UPDATE assets SET trashed_at = now() WHERE id = $1", id);
    assertEquals(1L, albums.get(alice, first).getLong("asset_count"));
    assertEquals(0L, albums.get(alice, second).getLong("asset_count"));
    assertEquals(List.of(first), albums.ids(alice, "/api/albums?asset_id=" + b));
    assertEquals(List.of(), albums.ids(alice, "/api/albums?asset_id=" + a));
    server.sql("UPDATE assets SET trashed_at = NULL WHERE id = $1", id);
    assertEquals(2L, albums.get(alice, first).getLong("asset_count"));
    assertEquals(1L, albums.get(alice, second).getLong("asset_count"));
    // Through the API: an edit of the capture time (update_asset), and its undoing.
    HttpResponse<Buffer> edited = server.call(HttpMethod.PATCH, "/api/assets/" + b, alice.key(),
      new JsonObject().put("original_datetime", "2019-05-05T05:05:05+03:00"));
    assertEquals(200, edited.statusCode(), edited.bodyAsString());
    got = albums.get(alice, first);
    assertEquals("2019-05-05T05:05:05.000000", got.getString("start_date"));
    assertEquals(b, got.getString("album_cover_asset_id"));
    edited = server.call(HttpMethod.PATCH, "/api/assets/" + b, alice.key(), new JsonObject().putNull("original_datetime"));
    assertEquals(200, edited.statusCode(), edited.bodyAsString());
    assertEquals("2024-02-01T10:00:00.000000", albums.get(alice, first).getString("start_date"));
    // The copies equal their assets, everywhere.
    assertEquals(0, server.count("""
      SELECT count(*) FROM album_assets m JOIN assets x ON x.id = m.asset_id
       WHERE m.asset_live <> (x.trashed_at IS NULL) OR m.local_datetime <> x.local_datetime"""));
  }

  private void assertMembers(String lib, String album, String... assets) {
    assertEquals(List.of(assets), albums.page(alice, "/api/album-assets?library_id=" + lib + "&album_id=" + album
      + "&limit=200").stream().map(o -> ((JsonObject) o).getString("asset_id")).toList());
    assertEquals(assets.length, albums.get(alice, album).getLong("asset_count"));
    assertEquals(assets.length, server.count("SELECT count(*) FROM album_assets WHERE album_id = $1",
      Ids.ALBUM.parse(album).orElseThrow()));
  }

  /** The asset's memberships removed, one event each naming album and asset, before its asset_deleted. */
  private void assertRemovedEvents(String lib, String asset, String... fromAlbums) {
    List<String> feed = albums.events(alice, lib, "album_asset,asset");
    List<String> removed = feed.stream().filter(e -> e.startsWith("album_asset_removed ") && e.endsWith(" " + asset)).toList();
    assertEquals(Set.of(fromAlbums), Set.copyOf(removed.stream().map(e -> e.split(" ")[2]).toList()), feed.toString());
    assertEquals(fromAlbums.length, removed.size());
    int deleted = feed.indexOf("asset_deleted " + asset);
    assertTrue(deleted >= 0, feed.toString());
    for (String e : removed) {
      assertTrue(feed.indexOf(e) < deleted, feed.toString());
      assertFalse(e.split(" ")[1].equals(asset));
    }
  }

  /** Every album and membership row as it is stored, to see that nothing touched them. */
  private String albumRows() {
    StringBuilder out = new StringBuilder();
    server.sql("SELECT * FROM albums ORDER BY id").forEach(r -> out.append(r.toJson().encode()).append('\n'));
    server.sql("SELECT * FROM album_assets ORDER BY id").forEach(r -> out.append(r.toJson().encode()).append('\n'));
    return out.toString();
  }

  private static UUID[] uuids(Ids kind, String... ids) {
    return java.util.Arrays.stream(ids).map(i -> kind.parse(i).orElseThrow()).toArray(UUID[]::new);
  }

}
