package org.eucalypt.album;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.serviceproxy.ServiceProxyBuilder;
import org.eucalypt.auth.Caller;
import org.eucalypt.bus.BusDoor;
import org.eucalypt.bus.DomainException;
import org.eucalypt.support.ServerExtension;
import org.eucalypt.support.TestServer;
import org.eucalypt.support.TestServer.User;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.eucalypt.album.AlbumTesting.assetIds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Albums and memberships over HTTP as Gumnut's SDK documents them, against real PostgreSQL:
 * create, read, update, delete, add and remove (duplicates, not-found, other libraries), what an
 * album shows of its live assets, pagination, filters, events and scopes. Every response is also
 * checked against openapi.yaml (ContractCheck).
 */
@ExtendWith(ServerExtension.class)
class AlbumApiTest {
  private static final String ALBUM_ID = "album_[2-9A-HJ-NP-Za-km-z]{22}";
  private static TestServer server;
  private static AlbumTesting albums;
  private User alice;
  private User bob;

  @BeforeAll
  static void start(TestServer started) {
    server = started;
    albums = new AlbumTesting(server);
  }

  @BeforeEach
  void users() {
    alice = server.newUser();
    bob = server.newUser();
  }

  // ---------------------------------------------------------------- CRUD

  @Test
  void createReadUpdateDeleteKeepsTheAssets() {
    String lib = server.createLibrary(alice, "Photos");
    JsonObject made = albums.create(alice, lib, "Holidays");
    assertTrue(made.getString("id").matches(ALBUM_ID), made.encode());
    assertEquals("Holidays", made.getString("name"));
    assertEquals(0L, made.getLong("asset_count"));
    assertEquals(lib, made.getString("library_id"));
    assertNull(made.getValue("album_cover_asset_id"));
    assertNull(made.getValue("start_date"));
    assertNull(made.getValue("end_date"));
    assertNull(made.getValue("description"));
    String album = made.getString("id");
    assertEquals(made, albums.get(alice, album));

    // The only live library is the default; no name is the empty name, as AlbumResponse needs one.
    HttpResponse<Buffer> bare = server.post("/api/albums", alice.key(), new JsonObject());
    assertEquals(201, bare.statusCode(), bare.bodyAsString());
    assertEquals("", bare.bodyAsJsonObject().getString("name"));
    assertEquals(lib, bare.bodyAsJsonObject().getString("library_id"));

    // PATCH changes only what is sent; a null description clears it.
    server.clock.advance(java.time.Duration.ofSeconds(5));
    HttpResponse<Buffer> res = albums.patch(alice, album, new JsonObject().put("description", "Summer 2024"));
    assertEquals(200, res.statusCode(), res.bodyAsString());
    assertEquals("Holidays", res.bodyAsJsonObject().getString("name"));
    assertEquals("Summer 2024", res.bodyAsJsonObject().getString("description"));
    assertFalse(res.bodyAsJsonObject().getString("updated_at").equals(made.getString("updated_at")));
    res = albums.patch(alice, album, new JsonObject().put("name", "Trips"));
    assertEquals("Trips", res.bodyAsJsonObject().getString("name"));
    assertEquals("Summer 2024", res.bodyAsJsonObject().getString("description"));
    res = albums.patch(alice, album, new JsonObject().putNull("description"));
    assertEquals("Trips", res.bodyAsJsonObject().getString("name"));
    assertNull(res.bodyAsJsonObject().getValue("description"));
    assertEquals(422, albums.patch(alice, album, new JsonObject().put("name", 3)).statusCode());
    assertEquals(422, albums.patch(alice, album, new JsonObject().put("name", "x".repeat(256))).statusCode());

    // Delete: the album and its memberships go, the asset stays.
    String asset = albums.upload(alice, lib);
    albums.add(alice, album, asset);
    HttpResponse<Buffer> deleted = server.call(HttpMethod.DELETE, "/api/albums/" + album, alice.key(), null);
    assertEquals(200, deleted.statusCode(), deleted.bodyAsString());
    assertEquals(new JsonObject(), deleted.bodyAsJsonObject());
    assertEquals(404, server.get("/api/albums/" + album, alice.key()).statusCode());
    assertEquals(404, server.call(HttpMethod.DELETE, "/api/albums/" + album, alice.key(), null).statusCode());
    assertEquals(200, server.get("/api/assets/" + asset, alice.key()).statusCode());
    assertEquals(0, server.count("SELECT count(*) FROM album_assets WHERE asset_id = $1",
      org.eucalypt.id.Ids.ASSET.parse(asset).orElseThrow()));
  }

  @Test
  void createNeedsALibraryWhenThereAreSeveralAndALiveOneOfTheCallers() {
    String one = server.createLibrary(alice, "One");
    server.createLibrary(alice, "Two");
    assertEquals(400, server.post("/api/albums", alice.key(), new JsonObject().put("name", "x")).statusCode());
    assertEquals(404, server.post("/api/albums", bob.key(), new JsonObject().put("library_id", one)).statusCode());
    assertEquals(404, server.post("/api/albums", alice.key(), new JsonObject().put("library_id", "lib_nope")).statusCode());
    assertEquals(422, server.post("/api/albums", alice.key(), new JsonObject().put("name", List.of())).statusCode());
    assertEquals(0, server.count("SELECT count(*) FROM albums a JOIN libraries l ON l.id = a.library_id WHERE l.user_id = $1",
      org.eucalypt.id.Ids.USER.parse(alice.id()).orElseThrow()));
  }

  // ---------------------------------------------------------------- memberships

  @Test
  void addAnswersAddedDuplicateAndNotFoundAndRemoveIgnoresStrangers() {
    String lib = server.createLibrary(alice, "Photos");
    String other = server.createLibrary(alice, "Other");
    String bobs = server.createLibrary(bob, "Bob's");
    String a = albums.upload(alice, lib);
    String b = albums.upload(alice, lib);
    String trashed = albums.upload(alice, lib);
    albums.assets(alice, "trash", lib, trashed);
    String elsewhere = albums.upload(alice, other);
    String bobsAsset = albums.upload(bob, bobs);
    String album = albums.createId(alice, lib);

    JsonObject res = albums.add(alice, album, a, b, a, elsewhere, bobsAsset, trashed, "asset_nope", "lib_x");
    assertEquals(new JsonArray(List.of(a, b)), res.getJsonArray("added_assets"));
    assertEquals(new JsonArray(), res.getJsonArray("duplicate_assets"));
    assertEquals(new JsonArray(List.of(elsewhere, bobsAsset, trashed, "asset_nope", "lib_x")),
      res.getJsonArray("not_found_assets"));
    assertEquals(2L, albums.get(alice, album).getLong("asset_count"));

    // Again: idempotent.
    res = albums.add(alice, album, b, a);
    assertEquals(new JsonArray(), res.getJsonArray("added_assets"));
    assertEquals(new JsonArray(List.of(b, a)), res.getJsonArray("duplicate_assets"));
    assertEquals(2L, albums.get(alice, album).getLong("asset_count"));

    // Bad bodies change nothing.
    assertEquals(422, albums.addCall(alice, album).statusCode());
    assertEquals(422, server.post("/api/albums/" + album + "/assets", alice.key(), new JsonObject()).statusCode());
    String[] tooMany = new String[201];
    java.util.Arrays.fill(tooMany, a);
    assertEquals(422, albums.addCall(alice, album, tooMany).statusCode());
    assertEquals(404, albums.addCall(alice, "album_nope", a).statusCode());
    assertEquals(404, albums.addCall(bob, album, a).statusCode());

    // Remove: members go; non-members, unknown and malformed ids are ignored.
    albums.remove(alice, album, a, elsewhere, "asset_nope", "x");
    assertEquals(List.of(b), albumAssetIds(alice, album, lib));
    assertEquals(1L, albums.get(alice, album).getLong("asset_count"));
    assertEquals(404, albums.removeCall(bob, album, b).statusCode());
    assertEquals(1L, albums.get(alice, album).getLong("asset_count"));
  }

  @Test
  void countDatesAndCoverFollowTheLiveAssets() {
    String lib = server.createLibrary(alice, "Photos");
    String early = albums.upload(alice, lib, "2021-03-01T08:00:00Z");
    String middle = albums.upload(alice, lib, "2022-07-15T12:30:00+02:00");
    String late = albums.upload(alice, lib, "2023-12-31T23:59:00Z");
    String outsider = albums.upload(alice, lib, "2020-01-01T00:00:00Z");
    String album = albums.createId(alice, lib);
    albums.add(alice, album, middle, late, early);

    JsonObject got = albums.get(alice, album);
    assertEquals(3L, got.getLong("asset_count"));
    assertEquals("2021-03-01T08:00:00.000000", got.getString("start_date"));
    assertEquals("2023-12-31T23:59:00.000000", got.getString("end_date"));
    // No cover chosen: the oldest live asset by capture time, as Gumnut picks it.
    assertEquals(early, got.getString("album_cover_asset_id"));

    // Trash the oldest: the count drops, the start date and the cover move to what is left.
    albums.assets(alice, "trash", lib, early);
    got = albums.get(alice, album);
    assertEquals(2L, got.getLong("asset_count"));
    assertEquals("2022-07-15T12:30:00.000000", got.getString("start_date"));
    assertEquals("2023-12-31T23:59:00.000000", got.getString("end_date"));
    assertEquals(middle, got.getString("album_cover_asset_id"));
    // A trashed asset leaves the album's lists too, and cannot be the cover.
    assertEquals(Set.of(middle, late), Set.copyOf(albumAssetIds(alice, album, lib)));
    assertEquals(400, albums.patch(alice, album, new JsonObject().put("album_cover_asset_id", early)).statusCode());
    assertEquals(400, albums.patch(alice, album, new JsonObject().put("album_cover_asset_id", outsider)).statusCode());
    assertEquals(400, albums.patch(alice, album, new JsonObject().put("album_cover_asset_id", "asset_nope")).statusCode());

    // A chosen cover wins while its asset is live, falls back while it is trashed, and comes back.
    HttpResponse<Buffer> res = albums.patch(alice, album, new JsonObject().put("album_cover_asset_id", late));
    assertEquals(200, res.statusCode(), res.bodyAsString());
    assertEquals(late, res.bodyAsJsonObject().getString("album_cover_asset_id"));
    albums.assets(alice, "trash", lib, late);
    got = albums.get(alice, album);
    assertEquals(1L, got.getLong("asset_count"));
    assertEquals(middle, got.getString("album_cover_asset_id"));
    assertEquals("2022-07-15T12:30:00.000000", got.getString("end_date"));
    albums.assets(alice, "restore", lib, early, late);
    got = albums.get(alice, album);
    assertEquals(3L, got.getLong("asset_count"));
    assertEquals(late, got.getString("album_cover_asset_id"));
    assertEquals("2021-03-01T08:00:00.000000", got.getString("start_date"));
    assertEquals("2023-12-31T23:59:00.000000", got.getString("end_date"));

    // Null clears the choice; removing the chosen cover's membership clears it too.
    res = albums.patch(alice, album, new JsonObject().putNull("album_cover_asset_id"));
    assertEquals(early, res.bodyAsJsonObject().getString("album_cover_asset_id"));
    albums.patch(alice, album, new JsonObject().put("album_cover_asset_id", middle));
    albums.remove(alice, album, middle);
    got = albums.get(alice, album);
    assertEquals(early, got.getString("album_cover_asset_id"));
    assertEquals(0, server.count("SELECT count(*) FROM albums WHERE cover_asset_id IS NOT NULL AND id = $1",
      org.eucalypt.id.Ids.ALBUM.parse(album).orElseThrow()));

    // Every asset trashed: an empty album as far as anyone can see.
    albums.assets(alice, "trash", lib, early, late);
    got = albums.get(alice, album);
    assertEquals(0L, got.getLong("asset_count"));
    assertNull(got.getValue("album_cover_asset_id"));
    assertNull(got.getValue("start_date"));
    assertNull(got.getValue("end_date"));
  }

  // ---------------------------------------------------------------- lists

  @Test
  void albumListsPageNewestFirstWithoutGapsOrRepeats() {
    String lib = server.createLibrary(alice, "Photos");
    List<String> made = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      made.add(albums.createId(alice, lib));
      server.clock.advance(java.time.Duration.ofSeconds(1));
    }
    List<String> newestFirst = new ArrayList<>(made);
    java.util.Collections.reverse(newestFirst);
    List<String> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    while (true) {
      HttpResponse<Buffer> res = server.get("/api/albums?library_id=" + lib + "&limit=3"
        + (cursor == null ? "" : "&starting_after_id=" + cursor), alice.key());
      assertEquals(200, res.statusCode(), res.bodyAsString());
      JsonArray data = res.bodyAsJsonObject().getJsonArray("data");
      data.forEach(o -> seen.add(((JsonObject) o).getString("id")));
      pages++;
      if (!res.bodyAsJsonObject().getBoolean("has_more")) {
        break;
      }
      cursor = seen.get(seen.size() - 1);
    }
    assertEquals(newestFirst, seen);
    assertEquals(3, pages);

    // Filters: ids, and the albums holding an asset.
    assertEquals(List.of(made.get(5), made.get(1)),
      albums.ids(alice, "/api/albums?library_id=" + lib + "&ids=" + made.get(1) + "," + made.get(5) + ",album_nope"));
    String asset = albums.upload(alice, lib);
    albums.add(alice, made.get(2), asset);
    albums.add(alice, made.get(4), asset);
    assertEquals(List.of(made.get(4), made.get(2)), albums.ids(alice, "/api/albums?library_id=" + lib + "&asset_id=" + asset));
    albums.assets(alice, "trash", lib, asset);
    assertEquals(List.of(), albums.ids(alice, "/api/albums?library_id=" + lib + "&asset_id=" + asset));

    // Bad parameters: 422; another user's library: 404; the sole library may be left out.
    assertEquals(422, server.get("/api/albums?library_id=" + lib + "&starting_after_id=asset_x", alice.key()).statusCode());
    assertEquals(422, server.get("/api/albums?library_id=" + lib + "&limit=0", alice.key()).statusCode());
    assertEquals(422, server.get("/api/albums?library_id=" + lib + "&limit=201", alice.key()).statusCode());
    assertEquals(404, server.get("/api/albums?library_id=" + lib, bob.key()).statusCode());
    assertEquals(newestFirst.subList(0, 2), albums.ids(alice, "/api/albums?limit=2"));
  }

  @Test
  void albumAssetLinksPageAndFilter() {
    String lib = server.createLibrary(alice, "Photos");
    String first = albums.createId(alice, lib);
    String second = albums.createId(alice, lib);
    List<String> assets = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      assets.add(albums.upload(alice, lib));
    }
    albums.add(alice, first, assets.toArray(String[]::new));
    albums.add(alice, second, assets.get(0), assets.get(4));

    List<JsonObject> all = new ArrayList<>();
    String cursor = null;
    while (true) {
      HttpResponse<Buffer> res = server.get("/api/album-assets?library_id=" + lib + "&limit=2"
        + (cursor == null ? "" : "&starting_after_id=" + cursor), alice.key());
      assertEquals(200, res.statusCode(), res.bodyAsString());
      res.bodyAsJsonObject().getJsonArray("data").forEach(o -> all.add((JsonObject) o));
      if (!res.bodyAsJsonObject().getBoolean("has_more")) {
        break;
      }
      cursor = all.get(all.size() - 1).getString("id");
    }
    assertEquals(7, all.size());
    assertEquals(7, new HashSet<>(all.stream().map(j -> j.getString("id")).toList()).size());
    for (JsonObject link : all) {
      assertTrue(link.getString("id").startsWith("album_asset_"), link.encode());
      JsonObject got = server.get("/api/album-assets/" + link.getString("id"), alice.key()).bodyAsJsonObject();
      assertEquals(link, got);
    }
    assertEquals(assets, all.stream().filter(j -> j.getString("album_id").equals(first)).map(j -> j.getString("asset_id")).toList());

    assertEquals(List.of(assets.get(0), assets.get(4)), albumAssetIds(alice, second, lib));
    JsonArray ofAsset = albums.page(alice, "/api/album-assets?asset_id=" + assets.get(4));
    assertEquals(Set.of(first, second), Set.of(ofAsset.getJsonObject(0).getString("album_id"),
      ofAsset.getJsonObject(1).getString("album_id")));
    String oneLink = all.get(3).getString("id");
    assertEquals(List.of(oneLink), albums.ids(alice, "/api/album-assets?ids=" + oneLink + ",album_asset_nope"));

    // Another user, a malformed id, another kind of id: 404 alike.
    assertEquals(404, server.get("/api/album-assets/" + oneLink, bob.key()).statusCode());
    assertEquals(404, server.get("/api/album-assets/album_asset_nope", alice.key()).statusCode());
    assertEquals(404, server.get("/api/album-assets/" + first, alice.key()).statusCode());
    assertEquals(422, server.get("/api/album-assets?starting_after_id=" + first, alice.key()).statusCode());
  }

  // ---------------------------------------------------------------- filters on assets

  @Test
  void assetListsAndCountsFilterByAlbum() {
    String lib = server.createLibrary(alice, "Photos");
    String in1 = albums.upload(alice, lib, "2024-01-10T10:00:00Z");
    String in2 = albums.upload(alice, lib, "2024-02-10T10:00:00Z");
    String inOther = albums.upload(alice, lib, "2024-02-11T10:00:00Z");
    String loose = albums.upload(alice, lib, "2024-03-10T10:00:00Z");
    String album = albums.createId(alice, lib);
    String otherAlbum = albums.createId(alice, lib);
    albums.add(alice, album, in1, in2);
    albums.add(alice, otherAlbum, inOther, in2);

    String base = "/api/assets?library_id=" + lib;
    assertEquals(List.of(in2, in1), albums.ids(alice, base + "&album_id=" + album));
    assertEquals(Set.of(in1, in2, inOther), Set.copyOf(albums.ids(alice, base + "&album_filter=in_album")));
    assertEquals(List.of(loose), albums.ids(alice, base + "&album_filter=not_in_album"));
    assertEquals(4, albums.ids(alice, base + "&album_filter=all").size());
    assertEquals(List.of(in2), albums.ids(alice, base + "&album_id=" + album + "&album_filter=in_album&ids=" + in2));
    // With a stack filter too: both apply.
    HttpResponse<Buffer> stack = server.post("/api/stacks", alice.key(), new JsonObject().put("library_id", lib)
      .put("asset_ids", new JsonArray(List.of(in2, loose))));
    assertEquals(201, stack.statusCode(), stack.bodyAsString());
    assertEquals(List.of(in2), albums.ids(alice, base + "&album_id=" + album + "&stack_id="
      + stack.bodyAsJsonObject().getString("id")));
    assertEquals(List.of(loose), albums.ids(alice, base + "&album_filter=not_in_album&stack_id="
      + stack.bodyAsJsonObject().getString("id")));

    // Counts by month follow the same filters.
    JsonArray counts = albums.page(alice, "/api/assets/counts?library_id=" + lib + "&album_id=" + album);
    assertEquals(2, counts.size());
    assertEquals(1L, counts.getJsonObject(0).getLong("count"));
    assertEquals("2024-02-01T00:00:00.000000", counts.getJsonObject(0).getString("time_bucket"));
    JsonArray notIn = albums.page(alice, "/api/assets/counts?library_id=" + lib + "&album_filter=not_in_album");
    assertEquals(1, notIn.size());
    assertEquals("2024-03-01T00:00:00.000000", notIn.getJsonObject(0).getString("time_bucket"));

    // A trashed member leaves the default list, not state=trashed.
    albums.assets(alice, "trash", lib, in1);
    assertEquals(List.of(in2), albums.ids(alice, base + "&album_id=" + album));
    assertEquals(List.of(in1), albums.ids(alice, base + "&album_id=" + album + "&state=trashed"));

    // Contradiction: 422. An album of another library or user, or no album: 404.
    HttpResponse<Buffer> res = server.get(base + "&album_id=" + album + "&album_filter=not_in_album", alice.key());
    assertEquals(422, res.statusCode(), res.bodyAsString());
    assertEquals("album_filter", res.bodyAsJsonObject().getJsonArray("detail").getJsonObject(0).getJsonArray("loc").getString(1));
    assertEquals(422, server.get("/api/assets/counts?library_id=" + lib + "&album_id=" + album
      + "&album_filter=not_in_album", alice.key()).statusCode());
    assertEquals(422, server.get(base + "&album_filter=some", alice.key()).statusCode());
    String otherLib = server.createLibrary(alice, "Other");
    String elsewhere = albums.createId(alice, otherLib);
    assertEquals(404, server.get(base + "&album_id=" + elsewhere, alice.key()).statusCode());
    assertEquals(404, server.get(base + "&album_id=album_nope", alice.key()).statusCode());
    String bobLib = server.createLibrary(bob, "Bob");
    assertEquals(404, server.get("/api/assets?library_id=" + bobLib + "&album_id=" + album, bob.key()).statusCode());
  }

  // ---------------------------------------------------------------- events

  @Test
  void everyChangeWritesItsEvent() {
    String lib = server.createLibrary(alice, "Photos");
    String a = albums.upload(alice, lib);
    String b = albums.upload(alice, lib);
    String album = albums.createId(alice, lib);
    albums.patch(alice, album, new JsonObject().put("name", "Renamed"));
    albums.add(alice, album, a, b);
    albums.patch(alice, album, new JsonObject().put("album_cover_asset_id", b));
    albums.add(alice, album, a);  // a duplicate: no event
    albums.remove(alice, album, a, "asset_nope");
    albums.remove(alice, album, a);  // not a member any more: no event
    assertEquals(200, server.call(HttpMethod.DELETE, "/api/albums/" + album, alice.key(), null).statusCode());

    List<String> links = linkIdsFromEvents(lib);
    assertEquals(List.of(
      "album_created " + album,
      "album_updated " + album + " cover=null",
      "album_asset_added " + links.get(0) + " " + album + " " + a,
      "album_asset_added " + links.get(1) + " " + album + " " + b,
      "album_updated " + album + " cover=" + b,
      "album_asset_removed " + links.get(0) + " " + album + " " + a,
      "album_deleted " + album), albums.events(alice, lib, "album,album_asset"));
    assertTrue(links.get(0).startsWith("album_asset_") && !links.get(0).equals(links.get(1)), links.toString());
    // The filter tells them apart.
    assertEquals(4, albums.events(alice, lib, "album").size());
    assertEquals(3, albums.events(alice, lib, "album_asset").size());
  }

  private List<String> linkIdsFromEvents(String lib) {
    List<String> out = new ArrayList<>();
    JsonArray data = server.get("/api/events?library_id=" + lib + "&entity_types=album_asset&limit=200", alice.key())
      .bodyAsJsonObject().getJsonArray("data");
    data.forEach(o -> {
      String id = ((JsonObject) o).getString("entity_id");
      if (!out.contains(id)) {
        out.add(id);
      }
    });
    return out;
  }

  // ---------------------------------------------------------------- scopes

  @Test
  void aKeyOfSomeLibrariesAndAnotherUserSeeNothingElse() {
    String mine = server.createLibrary(alice, "Mine");
    String hidden = server.createLibrary(alice, "Hidden");
    String visible = albums.createId(alice, mine);
    String invisible = albums.createId(alice, hidden);
    String asset = albums.upload(alice, hidden);
    albums.add(alice, invisible, asset);
    String link = albums.ids(alice, "/api/album-assets?library_id=" + hidden).get(0);
    String scoped = albums.scopedKey(alice, mine);
    User narrow = new User(alice.id(), scoped);

    assertEquals(200, server.get("/api/albums/" + visible, scoped).statusCode());
    assertEquals(List.of(visible), albums.ids(narrow, "/api/albums"));
    for (User who : List.of(narrow, bob)) {
      String key = who.key();
      assertEquals(404, server.get("/api/albums/" + invisible, key).statusCode());
      assertEquals(404, albums.patch(who, invisible, new JsonObject().put("name", "x")).statusCode());
      assertEquals(404, albums.addCall(who, invisible, asset).statusCode());
      assertEquals(404, albums.removeCall(who, invisible, asset).statusCode());
      assertEquals(404, server.call(HttpMethod.DELETE, "/api/albums/" + invisible, key, null).statusCode());
      assertEquals(404, server.get("/api/albums?library_id=" + hidden, key).statusCode());
      assertEquals(404, server.get("/api/album-assets?library_id=" + hidden, key).statusCode());
      assertEquals(404, server.get("/api/album-assets/" + link, key).statusCode());
      assertEquals(404, server.post("/api/albums", key, new JsonObject().put("library_id", hidden)).statusCode());
    }
    // Bob's albums are as unknown to Alice; nothing above changed anything.
    assertEquals(1L, albums.get(alice, invisible).getLong("asset_count"));
    assertEquals(2, server.count("SELECT count(*) FROM albums WHERE library_id = ANY($1)",
      (Object) new UUID[] {org.eucalypt.id.Ids.LIBRARY.parse(mine).orElseThrow(),
        org.eucalypt.id.Ids.LIBRARY.parse(hidden).orElseThrow()}));
    assertEquals(404, server.get("/api/albums/album_nope", alice.key()).statusCode());
    assertEquals(404, server.get("/api/albums/" + asset, alice.key()).statusCode());
  }

  // ---------------------------------------------------------------- the event bus

  @Test
  void otherServicesGetTheSameAlbumsOnTheBusWithTheSameRules() {
    String lib = server.createLibrary(alice, "Photos");
    String asset = albums.upload(alice, lib);
    AlbumService asAlice = overTheBus(alice.key());
    // The caller a peer claims is replaced by the key's own: here, someone else entirely.
    Caller impostor = new Caller(UUID.randomUUID(), UUID.randomUUID(), Set.of("read"), null);

    Album made = asAlice.createAlbum(impostor, new AlbumChanges(new JsonObject().put("name", "Bus"))).await();
    assertEquals(lib, made.libraryId());
    AssetsAdded added = asAlice.addAssetsToAlbum(impostor, made.id(), List.of(asset, "asset_nope")).await();
    assertEquals(List.of(asset), added.addedAssets());
    assertEquals(List.of("asset_nope"), added.notFoundAssets());
    assertEquals(1L, asAlice.getAlbum(impostor, made.id()).await().assetCount());
    assertEquals(List.of(made.id()), asAlice.listAlbums(impostor, new AlbumFilter(null, null, asset, null, 20, null)).await()
      .data().stream().map(Album::id).toList());
    assertEquals(1L, albums.get(alice, made.id()).getLong("asset_count"));

    // Another user's key: not found; a read-only key: forbidden to change, free to read.
    assertEquals(DomainException.Kind.NOT_FOUND, failureOf(overTheBus(bob.key()).getAlbum(impostor, made.id())));
    HttpResponse<Buffer> key = server.post("/api/api-keys/", alice.key(), new JsonObject().put("name", "ro")
      .put("actions", new JsonArray(List.of("read"))));
    AlbumService readOnly = overTheBus(key.bodyAsJsonObject().getString("api_key"));
    assertEquals(DomainException.Kind.FORBIDDEN, failureOf(readOnly.deleteAlbum(impostor, made.id())));
    assertEquals(made.id(), readOnly.getAlbum(impostor, made.id()).await().id());
    assertEquals(DomainException.Kind.UNAUTHENTICATED, failureOf(overTheBus(null).getAlbum(impostor, made.id())));
  }

  private static AlbumService overTheBus(String key) {
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(10_000);
    if (key != null) {
      options.addHeader(BusDoor.AUTHORIZATION, "Bearer " + key);
    }
    return new ServiceProxyBuilder(server.vertx).setAddress(AlbumService.ADDRESS).setOptions(options)
      .build(AlbumService.class);
  }

  private static DomainException.Kind failureOf(io.vertx.core.Future<?> call) {
    try {
      call.await();
    } catch (Exception e) {
      return DomainException.kindOf(e);
    }
    throw new AssertionError("expected a failure");
  }

  private List<String> albumAssetIds(User user, String album, String lib) {
    return albums.page(user, "/api/album-assets?library_id=" + lib + "&album_id=" + album + "&limit=200").stream()
      .map(o -> ((JsonObject) o).getString("asset_id")).toList();
  }
}
