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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import static org.eucalypt.auth.AuthTesting.assertStatus;
import static org.eucalypt.auth.AuthTesting.snapshot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Another user's id, wherever an operation names one (path, query, body), answers exactly as an
 * unknown id does — same status, same body — and changes nothing. Both directions.
 */
@ExtendWith(ServerExtension.class)
class TenancyTest {
  private static TestServer server;

  /** One user's things. */
  record Tenant(User user, String library, String trashedLibrary, String asset, String trashedAsset, Key key) {
  }

  /** Ids of the same kinds as a tenant's, that exist nowhere. */
  private static final Tenant UNKNOWN = new Tenant(null, Ids.LIBRARY.format(UUID.randomUUID()),
    Ids.LIBRARY.format(UUID.randomUUID()), Ids.ASSET.format(UUID.randomUUID()), Ids.ASSET.format(UUID.randomUUID()),
    new Key(Ids.API_KEY.format(UUID.randomUUID()), "unused", null));

  @BeforeAll
  static void start(TestServer started) {
    server = started;
  }

  private static Tenant tenant() {
    User u = server.newUser();
    String lib = server.createLibrary(u, "Live");
    String trashedLib = server.createLibrary(u, "Trashed");
    server.uploadRandom(u, trashedLib);
    assertStatus(200, server.post("/api/libraries/" + trashedLib + "/trash", u.key(), null));
    String asset = server.uploadRandom(u, lib).getString("id");
    String trashedAsset = server.uploadRandom(u, lib).getString("id");
    assertStatus(200, server.post("/api/assets/trash?library_id=" + lib, u.key(), ids(trashedAsset)));
    Key key = AuthTesting.createKey(server, u, List.of("read"), null);
    return new Tenant(u, lib, trashedLib, asset, trashedAsset, key);
  }

  /** Every call that names an id of {@code target}'s, made with {@code me}'s full key. */
  private Map<String, Function<Tenant, HttpResponse<Buffer>>> calls(Tenant me, boolean eventsServed) {
    String k = me.user().key();
    Map<String, Function<Tenant, HttpResponse<Buffer>>> m = new LinkedHashMap<>();
    // Libraries, in the path.
    for (boolean trashed : new boolean[] {false, true}) {
      String s = trashed ? " (trashed)" : "";
      Function<Tenant, String> lib = t -> trashed ? t.trashedLibrary() : t.library();
      m.put("get_library" + s, t -> server.get("/api/libraries/" + lib.apply(t), k));
      m.put("update_library" + s, t -> server.call(HttpMethod.PATCH, "/api/libraries/" + lib.apply(t), k,
        new JsonObject().put("name", "Taken").put("description", "x")));
      m.put("trash_library" + s, t -> server.post("/api/libraries/" + lib.apply(t) + "/trash", k, null));
      m.put("restore_library" + s, t -> server.post("/api/libraries/" + lib.apply(t) + "/restore", k, null));
      m.put("delete_library" + s, t -> server.call(HttpMethod.DELETE, "/api/libraries/" + lib.apply(t), k, null));
      // Libraries, in the query.
      m.put("list_assets" + s, t -> server.get("/api/assets?state=all&library_id=" + lib.apply(t), k));
      m.put("count_assets" + s, t -> server.get("/api/assets/counts?state=all&library_id=" + lib.apply(t), k));
      m.put("create_asset" + s, t -> server.upload(me.user(), lib.apply(t), "x.jpg", TestServer.randomBytes(600)));
      m.put("empty_trash" + s, t -> server.post("/api/assets/empty-trash?library_id=" + lib.apply(t), k, null));
      if (eventsServed) {
        m.put("get_events" + s, t -> server.get("/api/events?library_id=" + lib.apply(t), k));
      }
      // Both: their library with their own asset ids.
      for (String op : List.of("trash", "restore")) {
        m.put(op + "_assets, their library" + s, t -> server.post("/api/assets/" + op + "?library_id=" + lib.apply(t), k,
          ids(t.asset(), t.trashedAsset())));
      }
      m.put("delete_assets, their library" + s, t -> server.call(HttpMethod.DELETE,
        "/api/assets?library_id=" + lib.apply(t), k, ids(t.asset(), t.trashedAsset())));
    }
    // Assets, in the path.
    for (boolean trashed : new boolean[] {false, true}) {
      String s = trashed ? " (trashed)" : "";
      Function<Tenant, String> asset = t -> trashed ? t.trashedAsset() : t.asset();
      m.put("get_asset" + s, t -> server.get("/api/assets/" + asset.apply(t) + "?include=file_data", k));
      m.put("download_asset_original" + s, t -> server.get("/api/assets/" + asset.apply(t) + "/original", k));
      m.put("head_asset_original" + s, t -> server.client.head("/api/assets/" + asset.apply(t) + "/original")
        .bearerTokenAuthentication(k).send().await());
      m.put("delete_asset" + s, t -> server.call(HttpMethod.DELETE, "/api/assets/" + asset.apply(t), k, null));
      // Assets, in the body of bulk calls on my own library, alone or with mine, or with library_id left out.
      for (String op : List.of("trash", "restore")) {
        m.put(op + "_assets, my library" + s, t -> server.post("/api/assets/" + op + "?library_id=" + me.library(), k,
          ids(asset.apply(t))));
        m.put(op + "_assets, mixed with mine" + s, t -> server.post("/api/assets/" + op + "?library_id="
          + me.library(), k, ids(me.asset(), me.trashedAsset(), asset.apply(t))));
        m.put(op + "_assets, sole library" + s, t -> server.post("/api/assets/" + op, k, ids(asset.apply(t))));
      }
      m.put("delete_assets, my library" + s, t -> server.call(HttpMethod.DELETE, "/api/assets?library_id="
        + me.library(), k, ids(asset.apply(t))));
      m.put("delete_assets, mixed with mine" + s, t -> server.call(HttpMethod.DELETE, "/api/assets?library_id="
        + me.library(), k, ids(me.asset(), asset.apply(t))));
      m.put("delete_assets, sole library" + s, t -> server.call(HttpMethod.DELETE, "/api/assets", k,
        ids(asset.apply(t))));
      // Assets, in the query of a list.
      m.put("list_assets ids" + s, t -> server.get("/api/assets?state=all&library_id=" + me.library() + "&ids="
        + asset.apply(t), k));
      m.put("list_assets starting_after_id" + s, t -> server.get("/api/assets?state=all&library_id=" + me.library()
        + "&starting_after_id=" + asset.apply(t), k));
    }
    // API keys, in the path.
    m.put("update_api_key name", t -> server.call(HttpMethod.PATCH, "/api/api-keys/" + t.key().id(), k,
      new JsonObject().put("name", "Taken")));
    m.put("update_api_key is_active", t -> server.call(HttpMethod.PATCH, "/api/api-keys/" + t.key().id(), k,
      new JsonObject().put("is_active", false)));
    m.put("delete_api_key", t -> server.call(HttpMethod.DELETE, "/api/api-keys/" + t.key().id(), k, null));
    // Libraries, in the body of key creation.
    m.put("create_api_key library_ids", t -> server.post("/api/api-keys/", k,
      AuthTesting.keyBody("k", List.of("read"), "selected_libraries", List.of(t.library()))));
    m.put("create_api_key library_ids, mixed with mine", t -> server.post("/api/api-keys/", k,
      AuthTesting.keyBody("k", List.of("read"), "selected_libraries", List.of(me.library(), t.library()))));
    return m;
  }

  @Test
  void anotherUsersIdAnswersExactlyAsAnUnknownIdAndChangesNothingBothWays() {
    boolean eventsServed = server.get("/openapi.json", null).bodyAsJsonObject().getJsonObject("paths")
      .containsKey("/api/events");
    Tenant alice = tenant();
    Tenant bob = tenant();
    List<String> failures = new ArrayList<>();
    int checked = 0;
    for (Tenant[] pair : new Tenant[][] {{alice, bob}, {bob, alice}}) {
      Tenant me = pair[0];
      Tenant other = pair[1];
      for (Map.Entry<String, Function<Tenant, HttpResponse<Buffer>>> call : calls(me, eventsServed).entrySet()) {
        String before = snapshot(server);
        HttpResponse<Buffer> foreign = call.getValue().apply(other);
        String after = snapshot(server);
        HttpResponse<Buffer> unknown = call.getValue().apply(UNKNOWN);
        checked++;
        String where = call.getKey() + " by " + (me == alice ? "alice" : "bob") + ": ";
        if (foreign.statusCode() != unknown.statusCode()
          || !String.valueOf(foreign.bodyAsString()).equals(String.valueOf(unknown.bodyAsString()))) {
          failures.add(where + "foreign id answered " + foreign.statusCode() + " " + foreign.bodyAsString()
            + ", unknown id " + unknown.statusCode() + " " + unknown.bodyAsString());
        } else if (foreign.statusCode() != 404 && !call.getKey().contains(" ids") && !call.getKey().contains("starting_after_id")) {
          failures.add(where + "answered " + foreign.statusCode() + " " + foreign.bodyAsString() + ", expected 404");
        }
        if (!before.equals(after)) {
          failures.add(where + "changed the database or storage");
        }
      }
    }
    assertEquals(List.of(), failures, () -> String.join("\n", failures));
    assertTrue(checked > 80, "checked " + checked);
    System.out.println("TenancyTest: " + checked + " calls with a foreign id, each compared with an unknown id");

    // Each still has everything, and the other's keys still work.
    for (Tenant t : List.of(alice, bob)) {
      assertStatus(200, server.get("/api/assets/" + t.asset(), t.key().secret()));
      assertStatus(200, server.get("/api/libraries/" + t.trashedLibrary(), t.key().secret()));
      JsonObject lib = server.get("/api/libraries/" + t.library(), t.user().key()).bodyAsJsonObject();
      assertEquals("Live", lib.getString("name"));
      assertEquals(2L, lib.getLong("asset_count"));
    }
    server.assertInvariants();
  }

  @Test
  void anotherUsersLibrariesAndKeysNeverShowInLists() {
    Tenant alice = tenant();
    Tenant bob = tenant();
    for (String state : List.of("live", "trashed", "all")) {
      JsonArray libs = server.get("/api/libraries?state=" + state, alice.user().key()).bodyAsJsonArray();
      for (Object o : libs) {
        assertEquals(alice.user().id(), ((JsonObject) o).getString("user_id"));
      }
    }
    String keys = server.get("/api/api-keys/", alice.user().key()).bodyAsString();
    assertTrue(!keys.contains(bob.key().id()), keys);
    String assets = server.get("/api/assets?state=all", alice.user().key()).bodyAsString();
    assertTrue(!assets.contains(bob.asset()) && !assets.contains(bob.trashedAsset()), assets);
  }

  private static JsonObject ids(String... ids) {
    return new JsonObject().put("ids", new JsonArray(List.of((Object[]) ids)));
  }
}
