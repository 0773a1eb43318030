package org.eucalypt.auth;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.eucalypt.auth.AuthTesting.Key;
import org.eucalypt.id.Ids;
import org.eucalypt.support.ServerExtension;
import org.eucalypt.support.TestServer;
import org.eucalypt.support.TestServer.User;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.UUID;
import java.util.function.Function;

import static org.eucalypt.auth.AuthTesting.ALL_ACTIONS;
import static org.eucalypt.auth.AuthTesting.assertForbidden;
import static org.eucalypt.auth.AuthTesting.assertNotFound;
import static org.eucalypt.auth.AuthTesting.assertStatus;
import static org.eucalypt.auth.AuthTesting.snapshot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * A key limited to selected libraries sees only those: every other library of the same user,
 * and everything in it, answers as if it did not exist.
 */
@ExtendWith(ServerExtension.class)
class ScopeTest {
  private static TestServer server;
  private User alice;
  /** In the key's scope: live {@code a}, and {@code t}, trashed after the key was made. */
  private String a;
  private String t;
  /** Alice's too, outside the scope: live {@code b}, trashed {@code bt}. */
  private String b;
  private String bt;
  private Key scoped;

  @BeforeAll
  static void start(TestServer started) {
    server = started;
  }

  @BeforeEach
  void libraries() {
    alice = server.newUser();
    a = server.createLibrary(alice, "A");
    t = server.createLibrary(alice, "T");
    b = server.createLibrary(alice, "B");
    bt = server.createLibrary(alice, "BT");
    scoped = AuthTesting.createKey(server, alice, ALL_ACTIONS, List.of(a, t));
    trash(t);
    trash(bt);
  }

  private void trash(String lib) {
    assertStatus(200, server.post("/api/libraries/" + lib + "/trash", alice.key(), null));
  }

  private List<String> listed(String query, String key) {
    HttpResponse<Buffer> res = server.get("/api/libraries" + query, key);
    assertStatus(200, res);
    return res.bodyAsJsonArray().stream().map(o -> ((JsonObject) o).getString("id")).sorted().toList();
  }

  private static List<String> sorted(String... ids) {
    return java.util.Arrays.stream(ids).sorted().toList();
  }

  @Test
  void listShowsOnlyTheKeysLibrariesInEveryState() {
    assertEquals(sorted(a), listed("", scoped.secret()));
    assertEquals(sorted(a), listed("?state=live", scoped.secret()));
    assertEquals(sorted(t), listed("?state=trashed", scoped.secret()));
    assertEquals(sorted(a, t), listed("?state=all", scoped.secret()));
    assertEquals(sorted(a, t), listed("/?state=all", scoped.secret()));
    // The full key sees them all.
    assertEquals(sorted(a, t, b, bt), listed("?state=all", alice.key()));
  }

  @Test
  void everyLibraryOperationOnAnotherOfTheUsersLibrariesIs404AndChangesNothing() {
    String unknown = Ids.LIBRARY.format(UUID.randomUUID());
    for (String other : List.of(b, bt)) {
      String before = snapshot(server);
      for (Function<String, HttpResponse<Buffer>> call : List.<Function<String, HttpResponse<Buffer>>>of(
        id -> server.get("/api/libraries/" + id, scoped.secret()),
        id -> server.call(HttpMethod.PATCH, "/api/libraries/" + id, scoped.secret(), new JsonObject().put("name", "x")),
        id -> server.post("/api/libraries/" + id + "/trash", scoped.secret(), null),
        id -> server.post("/api/libraries/" + id + "/restore", scoped.secret(), null),
        id -> server.call(HttpMethod.DELETE, "/api/libraries/" + id, scoped.secret(), null))) {
        HttpResponse<Buffer> res = call.apply(other);
        HttpResponse<Buffer> asUnknown = call.apply(unknown);
        assertNotFound(res);
        assertEquals(asUnknown.bodyAsString(), res.bodyAsString());
      }
      assertEquals(before, snapshot(server));
    }
    // Its own libraries it can reach, trashed or not.
    assertStatus(200, server.get("/api/libraries/" + a, scoped.secret()));
    assertStatus(200, server.get("/api/libraries/" + t, scoped.secret()));
    assertStatus(200, server.post("/api/libraries/" + t + "/restore", scoped.secret(), null));
  }

  @Test
  void everyAssetOperationOnAnAssetOutsideTheScopeIs404AndChangesNothing() {
    String inA = server.uploadRandom(alice, a).getString("id");
    String inB = server.uploadRandom(alice, b).getString("id");
    String trashedInB = server.uploadRandom(alice, b).getString("id");
    assertStatus(200, server.post("/api/assets/trash?library_id=" + b, alice.key(), ids(trashedInB)));
    String unknownAsset = Ids.ASSET.format(UUID.randomUUID());
    String unknownLib = Ids.LIBRARY.format(UUID.randomUUID());
    String key = scoped.secret();

    String before = snapshot(server);
    // By asset id.
    for (String asset : List.of(inB, trashedInB)) {
      sameAsUnknown(server.get("/api/assets/" + asset, key), server.get("/api/assets/" + unknownAsset, key));
      sameAsUnknown(server.get("/api/assets/" + asset + "/original", key),
        server.get("/api/assets/" + unknownAsset + "/original", key));
      HttpResponse<Buffer> head = server.client.head("/api/assets/" + asset + "/original")
        .bearerTokenAuthentication(key).send().await();
      assertStatus(404, head);
      sameAsUnknown(server.call(HttpMethod.DELETE, "/api/assets/" + asset, key, null),
        server.call(HttpMethod.DELETE, "/api/assets/" + unknownAsset, key, null));
      // Named in bulk calls on a library in scope.
      for (String op : List.of("trash", "restore")) {
        sameAsUnknown(server.post("/api/assets/" + op + "?library_id=" + a, key, ids(inA, asset)),
          server.post("/api/assets/" + op + "?library_id=" + a, key, ids(inA, unknownAsset)));
      }
      sameAsUnknown(server.call(HttpMethod.DELETE, "/api/assets?library_id=" + a, key, ids(inA, asset)),
        server.call(HttpMethod.DELETE, "/api/assets?library_id=" + a, key, ids(inA, unknownAsset)));
    }
    // By library id, for every asset operation that takes one.
    for (String lib : List.of(b, bt)) {
      sameAsUnknown(server.get("/api/assets?library_id=" + lib, key),
        server.get("/api/assets?library_id=" + unknownLib, key));
      sameAsUnknown(server.get("/api/assets/counts?library_id=" + lib, key),
        server.get("/api/assets/counts?library_id=" + unknownLib, key));
      for (String op : List.of("trash", "restore")) {
        sameAsUnknown(server.post("/api/assets/" + op + "?library_id=" + lib, key, ids(inB)),
          server.post("/api/assets/" + op + "?library_id=" + unknownLib, key, ids(inB)));
      }
      sameAsUnknown(server.call(HttpMethod.DELETE, "/api/assets?library_id=" + lib, key, ids(inB)),
        server.call(HttpMethod.DELETE, "/api/assets?library_id=" + unknownLib, key, ids(inB)));
      sameAsUnknown(server.post("/api/assets/empty-trash?library_id=" + lib, key, null),
        server.post("/api/assets/empty-trash?library_id=" + unknownLib, key, null));
      sameAsUnknown(server.upload(scoped.user(), lib, "x.jpg", TestServer.randomBytes(512)),
        server.upload(scoped.user(), unknownLib, "x.jpg", TestServer.randomBytes(512)));
    }
    // An asset outside the scope is not listed by id either.
    HttpResponse<Buffer> byIds = server.get("/api/assets?library_id=" + a + "&ids=" + inB + "&state=all", key);
    assertStatus(200, byIds);
    assertEquals(new JsonArray(), byIds.bodyAsJsonObject().getJsonArray("data"));
    assertEquals(before, snapshot(server));
    server.assertInvariants();

    // The same key reaches the asset in its scope.
    assertStatus(200, server.get("/api/assets/" + inA, key));
    assertStatus(200, server.get("/api/assets/" + inA + "/original", key));
  }

  private static void sameAsUnknown(HttpResponse<Buffer> res, HttpResponse<Buffer> unknown) {
    assertNotFound(res);
    assertEquals(unknown.statusCode(), res.statusCode());
    assertEquals(unknown.bodyAsString(), res.bodyAsString());
  }

  @Test
  void withoutLibraryIdTheSoleLiveLibraryRuleCountsOnlyTheScope() {
    // Alice has two live libraries (a, b); the key sees one (a).
    String viaFull = server.uploadRandom(alice, b).getString("id");
    assertStatus(400, server.get("/api/assets", alice.key()));

    HttpResponse<Buffer> up = server.upload(scoped.user(), null, "x.jpg", TestServer.randomBytes(700));
    assertStatus(201, up);
    assertEquals(a, up.bodyAsJsonObject().getString("library_id"));
    String asset = up.bodyAsJsonObject().getString("id");
    HttpResponse<Buffer> list = server.get("/api/assets", scoped.secret());
    assertStatus(200, list);
    assertEquals(List.of(asset), list.bodyAsJsonObject().getJsonArray("data").stream()
      .map(o -> ((JsonObject) o).getString("id")).toList());
    assertStatus(200, server.get("/api/assets/counts", scoped.secret()));
    assertStatus(200, server.post("/api/assets/trash", scoped.secret(), ids(asset)));
    assertStatus(200, server.post("/api/assets/restore", scoped.secret(), ids(asset)));
    // Without library_id, the key's sole library is meant: b's asset is not in it.
    assertNotFound(server.post("/api/assets/trash", scoped.secret(), ids(viaFull)));
    assertEquals(0L, server.count("SELECT count(*) FROM assets WHERE id = $1 AND trashed_at IS NOT NULL",
      Ids.ASSET.parse(viaFull).orElseThrow()));

    // With its one live library trashed, the key has none (its trashed t does not count): 400.
    trash(a);
    HttpResponse<Buffer> none = server.get("/api/assets", scoped.secret());
    assertStatus(400, none);
    assertNotNull(none.bodyAsJsonObject().getString("detail"));
    // Alice's full key still sees b as her only live library.
    assertStatus(200, server.get("/api/assets", alice.key()));
  }

  @Test
  void aScopedKeyCannotCreateLibrariesAndNeverWidens() {
    String before = snapshot(server);
    assertForbidden(server.post("/api/libraries", scoped.secret(), new JsonObject().put("name", "Mine now")));
    assertEquals(before, snapshot(server));

    String later = server.createLibrary(alice, "Later");
    assertEquals(sorted(a, t), listed("?state=all", scoped.secret()));
    assertNotFound(server.get("/api/libraries/" + later, scoped.secret()));
    assertNotFound(server.get("/api/assets?library_id=" + later, scoped.secret()));
    assertNotFound(server.upload(scoped.user(), later, "x.jpg", TestServer.randomBytes(512)));
    assertEquals(2L, AuthTesting.listedKey(server, alice, scoped.id()).getLong("selected_library_count"));
    // Still just a: the later library does not make the sole-library rule ambiguous for it.
    assertStatus(200, server.get("/api/assets", scoped.secret()));
  }

  @Test
  void aScopedKeyIsNeverAnotherUsersWayIn() {
    User bob = server.newUser();
    String bobs = server.createLibrary(bob, "Bob's");
    assertNotFound(server.get("/api/libraries/" + bobs, scoped.secret()));
    // Nor can a key be scoped to another user's library (the 404 of key creation).
    assertNotFound(server.post("/api/api-keys/", alice.key(),
      AuthTesting.keyBody("k", List.of("read"), "selected_libraries", List.of(a, bobs))));
  }

  private static JsonObject ids(String... ids) {
    return new JsonObject().put("ids", new JsonArray(List.of((Object[]) ids)));
  }
}
