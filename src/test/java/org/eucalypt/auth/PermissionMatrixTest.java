package org.eucalypt.auth;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.multipart.MultipartForm;
import org.eucalypt.auth.AuthTesting.Key;
import org.eucalypt.support.ServerExtension;
import org.eucalypt.support.Prerequisite;
import org.eucalypt.support.TestServer;
import org.eucalypt.support.TestServer.User;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;

import static org.eucalypt.auth.AuthTesting.ALL_ACTIONS;
import static org.eucalypt.auth.AuthTesting.assertForbidden;
import static org.eucalypt.auth.AuthTesting.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Which key may do what, driven by the contract the server itself serves ({@code GET
 * /openapi.json}): every operation, with a request that succeeds for a key allowed to make it,
 * against every kind of key. A new operation without a request here fails the test, so it cannot
 * be forgotten; one without {@code x-eucalypt-action} fails it too.
 */
@ExtendWith(ServerExtension.class)
class PermissionMatrixTest {
  private static final Set<String> OPEN = Set.of("ping");

  private static TestServer server;
  private static User owner;
  private static JsonObject contract;

  /** One operation of the contract. */
  record Op(String id, HttpMethod method, String path, String action, boolean allLibraries) {
    boolean isRead() {
      // check_existence is a POST (its lists of up to 5000 checksums do not fit a URL) that changes nothing.
      return method == HttpMethod.GET || method == HttpMethod.HEAD || "check_existence".equals(id);
    }
  }

  /** A request to send with some key. */
  record Request(HttpMethod method, String uri, JsonObject body, MultipartForm form, int expectedStatus) {
  }

  @BeforeAll
  static void start(TestServer started) {
    server = started;
    owner = server.newUser();
    HttpResponse<Buffer> res = server.get("/openapi.json", null);
    assertStatus(200, res);
    contract = res.bodyAsJsonObject();
  }

  static List<Op> operations() {
    List<Op> ops = new ArrayList<>();
    JsonObject paths = contract.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      // The served document may carry bookkeeping keys (vertx-openapi's __absolute_uri__): skip them.
      if (!(paths.getValue(path) instanceof JsonObject item)) {
        continue;
      }
      for (String m : item.fieldNames()) {
        if (!Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace").contains(m)
          || !(item.getValue(m) instanceof JsonObject)) {
          continue;
        }
        JsonObject op = item.getJsonObject(m);
        ops.add(new Op(op.getString("operationId"), HttpMethod.valueOf(m.toUpperCase()), path,
          op.getString("x-eucalypt-action"), op.getBoolean("x-eucalypt-all-libraries", false)));
      }
    }
    return ops;
  }

  // ================================================================ the contract itself

  @Test
  void everyApiOperationButPingNamesTheActionItNeeds() {
    List<Op> ops = operations();
    assertTrue(ops.size() >= 24, "operations in /openapi.json: " + ops.size());
    List<String> missing = new ArrayList<>();
    for (Op op : ops) {
      if (!op.path().startsWith("/api/")) {
        continue;
      }
      if (OPEN.contains(op.id())) {
        continue;
      }
      if (op.action() == null || !(ALL_ACTIONS.contains(op.action()) || "full_access".equals(op.action()))) {
        missing.add(op.id() + " (" + op.method() + " " + op.path() + "): " + op.action());
      }
    }
    assertEquals(List.of(), missing, "operations without a valid x-eucalypt-action");
  }

  /** API.md: read for every GET; write to create, update and restore; delete to trash; ... */
  @Test
  void theActionsMatchTheRulesOfApiMd() {
    Map<String, String> wrong = new LinkedHashMap<>();
    for (Op op : operations()) {
      if (OPEN.contains(op.id())) {
        continue;
      }
      String expected;
      if (op.path().startsWith("/api/api-keys")) {
        expected = "full_access";
      } else if (op.isRead()) {
        expected = "read";
      } else if (op.method() == HttpMethod.DELETE || op.path().endsWith("/empty-trash")) {
        expected = "delete_permanently";
      } else if (op.path().endsWith("/trash")) {
        expected = "delete";
      } else {
        expected = "write";  // create, update, restore
      }
      if (!expected.equals(op.action())) {
        wrong.put(op.id(), op.action() + ", API.md says " + expected);
      }
    }
    assertEquals(Map.of(), wrong);
    // Only creating a library is refused to a key limited to selected libraries (besides key management).
    assertEquals(Set.of("create_library"), operations().stream().filter(Op::allLibraries).map(Op::id)
      .collect(java.util.stream.Collectors.toSet()));
  }

  // ================================================================ the matrix

  @Test
  void everyOperationAgainstEveryKindOfKey() {
    // Keys the API makes: read alone, or read with one broader action, and the full key.
    Map<String, Key> keys = new LinkedHashMap<>();
    keys.put("read", AuthTesting.createKey(server, owner, List.of("read"), null));
    for (String a : List.of("write", "delete", "delete_permanently")) {
      keys.put("read+" + a, AuthTesting.createKey(server, owner, List.of("read", a), null));
    }
    keys.put("full", AuthTesting.createKey(server, owner, ALL_ACTIONS, null));
    // Keys of a lone broader action, which the API refuses to make but the check must still
    // judge by exactly the actions present.
    for (String a : List.of("write", "delete", "delete_permanently")) {
      keys.put(a, AuthTesting.insertKey(server, owner, List.of(a)));
    }

    List<String> failures = new ArrayList<>();
    int checked = 0;
    for (Op op : operations()) {
      if (OPEN.contains(op.id())) {
        continue;
      }
      for (Map.Entry<String, Key> entry : keys.entrySet()) {
        Key key = entry.getValue();
        List<String> actions = actionsOf(entry.getKey());
        boolean allowed = "full_access".equals(op.action())
          ? actions.containsAll(ALL_ACTIONS)
          : actions.contains(op.action());
        Request req = requestFor(op);
        String before = allowed ? null : AuthTesting.snapshot(server);
        HttpResponse<Buffer> res = send(req, key.secret());
        checked++;
        String where = op.id() + " with key [" + entry.getKey() + "]: " + res.statusCode() + " "
          + res.bodyAsString();
        if (allowed) {
          if (res.statusCode() != req.expectedStatus()) {
            failures.add(where + " (expected " + req.expectedStatus() + ")");
          }
        } else {
          try {
            assertEquals(403, res.statusCode());
            if (op.method() != HttpMethod.HEAD) {
              assertForbidden(res);
            }
            assertEquals(before, AuthTesting.snapshot(server), "a refused request changed something");
          } catch (AssertionError e) {
            failures.add(where + " (expected 403: " + e.getMessage() + ")");
          }
        }
      }
    }
    assertEquals(List.of(), failures, () -> failures.size() + " of " + keys.size() + " x operations wrong:\n"
      + String.join("\n", failures));
    assertTrue(checked >= 24 * 8, "checked " + checked);
    System.out.println("PermissionMatrixTest: " + checked + " requests, " + keys.size() + " keys x "
      + operations().stream().filter(o -> !OPEN.contains(o.id())).map(Op::id).toList());
    server.assertInvariants();
  }

  @Test
  void aReadOnlyKeyCanGetEverythingAndNothingElse() {
    Key read = AuthTesting.createKey(server, owner, List.of("read"), null);
    Set<String> allowed = new TreeSet<>();
    Set<String> reads = new TreeSet<>();
    for (Op op : operations()) {
      if (OPEN.contains(op.id())) {
        continue;
      }
      if (op.isRead() && !op.path().startsWith("/api/api-keys")) {
        reads.add(op.id());
      }
      HttpResponse<Buffer> res = send(requestFor(op), read.secret());
      if (res.statusCode() != 403) {
        assertTrue(res.statusCode() < 300, op.id() + ": " + res.statusCode() + " " + res.bodyAsString());
        allowed.add(op.id());
      }
    }
    assertEquals(reads, allowed);
    assertTrue(allowed.containsAll(Set.of("list_libraries", "get_library", "list_assets", "count_assets",
      "get_asset", "download_asset_original", "head_asset_original", "get_current_user")), allowed.toString());
  }

  @Test
  void managingKeysNeedsAFullAccessKeyAndAScopedKeyCannotCreateLibraries() {
    String lib = server.createLibrary(owner, "Scope");
    Key scopedAll = AuthTesting.createKey(server, owner, ALL_ACTIONS, List.of(lib));
    Key threeActions = AuthTesting.createKey(server, owner, List.of("read", "write", "delete"), null);
    int checked = 0;
    for (Op op : operations()) {
      if ("full_access".equals(op.action()) || op.allLibraries()) {
        List<Key> refused = "full_access".equals(op.action()) ? List.of(scopedAll, threeActions) : List.of(scopedAll);
        for (Key key : refused) {
          Request req = requestFor(op);
          String before = AuthTesting.snapshot(server);
          assertForbidden(send(req, key.secret()));
          assertEquals(before, AuthTesting.snapshot(server), op.id());
        }
        checked++;
      }
    }
    assertEquals(5, checked, "four key operations and create_library");
    // The collections without (and with) the trailing slash are guarded alike.
    String before = AuthTesting.snapshot(server);
    assertForbidden(server.get("/api/api-keys", scopedAll.secret()));
    assertForbidden(server.post("/api/api-keys", scopedAll.secret(),
      AuthTesting.keyBody("x", List.of("read"), null, null)));
    assertForbidden(server.post("/api/libraries/", scopedAll.secret(), new JsonObject().put("name", "x")));
    assertEquals(before, AuthTesting.snapshot(server));
    // The scoped key still works within its scope.
    assertStatus(200, server.get("/api/libraries/" + lib, scopedAll.secret()));
    assertStatus(200, server.call(HttpMethod.PATCH, "/api/libraries/" + lib, scopedAll.secret(),
      new JsonObject().put("name", "Renamed")));
  }

  // ================================================================ requests for each operation

  private static List<String> actionsOf(String keyName) {
    return switch (keyName) {
      case "full" -> ALL_ACTIONS;
      case "read" -> List.of("read");
      default -> keyName.startsWith("read+") ? List.of("read", keyName.substring(5)) : List.of(keyName);
    };
  }

  /**
   * A request that succeeds for a key allowed to make it, on fresh fixtures made with the owner's
   * full key, so that a destructive operation has something of its own to act on.
   */
  private static Request requestFor(Op op) {
    Map<String, Function<Op, Request>> builders = builders();
    Function<Op, Request> b = builders.get(op.id());
    if (b == null) {
      fail("no request for operation " + op.id() + " (" + op.method() + " " + op.path()
        + "): add one to PermissionMatrixTest.builders()");
    }
    Request req = b.apply(op);
    assertEquals(op.method(), req.method(), op.id());
    return req;
  }

  private static Map<String, Function<Op, Request>> builders() {
    Map<String, Function<Op, Request>> m = new LinkedHashMap<>();
    m.put("get_current_user", op -> req(op, "/api/users/me", null, 200));
    m.put("create_api_key", op -> req(op, "/api/api-keys/",
      AuthTesting.keyBody("made by matrix", List.of("read"), null, null), 201));
    m.put("list_api_keys", op -> req(op, "/api/api-keys/", null, 200));
    m.put("update_api_key", op -> req(op, "/api/api-keys/" + spareKey(), new JsonObject().put("name", "renamed"), 200));
    m.put("delete_api_key", op -> req(op, "/api/api-keys/" + spareKey(), null, 200));
    m.put("create_library", op -> req(op, "/api/libraries", new JsonObject().put("name", "made by matrix"), 201));
    m.put("list_libraries", op -> req(op, "/api/libraries", null, 200));
    m.put("get_library", op -> req(op, "/api/libraries/" + library(), null, 200));
    m.put("update_library", op -> req(op, "/api/libraries/" + library(), new JsonObject().put("name", "x"), 200));
    m.put("trash_library", op -> req(op, "/api/libraries/" + library() + "/trash", null, 200));
    m.put("restore_library", op -> req(op, "/api/libraries/" + trashedLibrary() + "/restore", null, 200));
    m.put("delete_library", op -> req(op, "/api/libraries/" + trashedLibrary(), null, 200));
    m.put("create_asset", op -> {
      String lib = library();
      MultipartForm form = MultipartForm.create()
        .attribute("device_asset_id", "d-" + UUID.randomUUID())
        .attribute("device_id", "matrix")
        .attribute("file_created_at", "2024-05-01T10:00:00Z")
        .attribute("file_modified_at", "2024-05-01T10:00:00Z")
        .binaryFileUpload("asset_data", "m.jpg", TestServer.randomBytes(1024), "application/octet-stream");
      return new Request(op.method(), "/api/assets?library_id=" + lib, null, form, 201);
    });
    m.put("list_assets", op -> req(op, "/api/assets?library_id=" + library(), null, 200));
    m.put("count_assets", op -> req(op, "/api/assets/counts?library_id=" + library(), null, 200));
    m.put("trash_assets", op -> {
      String lib = library();
      return req(op, "/api/assets/trash?library_id=" + lib, ids(asset(lib)), 200);
    });
    m.put("restore_assets", op -> {
      String lib = library();
      return req(op, "/api/assets/restore?library_id=" + lib, ids(trashedAsset(lib)), 200);
    });
    m.put("delete_assets", op -> {
      String lib = library();
      return req(op, "/api/assets?library_id=" + lib, ids(asset(lib)), 200);
    });
    m.put("empty_trash", op -> {
      String lib = library();
      trashedAsset(lib);
      return req(op, "/api/assets/empty-trash?library_id=" + lib, null, 200);
    });
    m.put("get_asset", op -> req(op, "/api/assets/" + asset(library()), null, 200));
    m.put("delete_asset", op -> req(op, "/api/assets/" + asset(library()), null, 200));
    m.put("download_asset_original", op -> req(op, "/api/assets/" + asset(library()) + "/original", null, 200));
    m.put("head_asset_original", op -> req(op, "/api/assets/" + asset(library()) + "/original", null, 200));
    m.put("download_asset_variant", op -> req(op, "/api/assets/" + renderedPhoto() + "/variants/thumbnail", null, 200));
    m.put("head_asset_variant", op -> req(op, "/api/assets/" + renderedPhoto() + "/variants/thumbnail", null, 200));
    m.put("list_tasks", op -> req(op, "/api/tasks/?library_id=" + library(), null, 200));
    m.put("get_task", op -> req(op, "/api/tasks/" + taskOf(asset(library())), null, 200));
    m.put("list_tasks_for_asset", op -> req(op, "/api/tasks/asset/" + asset(library()), null, 200));
    m.put("update_asset", op -> req(op, "/api/assets/" + asset(library()), new JsonObject().put("description", "x"), 200));
    m.put("bulk_update_assets", op -> req(op, "/api/assets/bulk-update", new JsonObject().put("updates",
      new JsonArray().add(new JsonObject().put("id", asset(library())).put("change",
        new JsonObject().put("latitude", 1.0).put("longitude", 2.0)))), 200));
    m.put("check_existence", op -> req(op, "/api/assets/exist?library_id=" + library(),
      new JsonObject().put("checksums", new JsonArray().add("AAAA")), 200));
    // The change feed (being added alongside this test).
    m.put("get_events", op -> req(op, "/api/events?library_id=" + library(), null, 200));
    m.put("create_stack", op -> {
      String lib = library();
      return req(op, "/api/stacks", new JsonObject().put("library_id", lib)
        .put("asset_ids", new JsonArray().add(asset(lib)).add(asset(lib))), 201);
    });
    m.put("list_stacks", op -> req(op, "/api/stacks?library_id=" + library(), null, 200));
    m.put("get_stack", op -> req(op, "/api/stacks/" + stack(library()), null, 200));
    m.put("set_cover", op -> {
      String lib = library();
      String a = asset(lib);
      return req(op, "/api/stacks/" + stack(lib, a, asset(lib)), new JsonObject().put("primary_asset_id", a), 200);
    });
    m.put("delete_stack", op -> req(op, "/api/stacks/" + stack(library()), null, 200));
    m.put("add_assets_to_stack", op -> {
      String lib = library();
      return req(op, "/api/stacks/" + stack(lib) + "/assets", assetIds(asset(lib)), 200);
    });
    m.put("remove_assets_from_stack", op -> {
      String lib = library();
      String a = asset(lib);
      return req(op, "/api/stacks/" + stack(lib, a, asset(lib), asset(lib)) + "/assets", assetIds(a), 200);
    });
    m.put("create_album", op -> req(op, "/api/albums", new JsonObject().put("library_id", library()), 201));
    m.put("list_albums", op -> req(op, "/api/albums?library_id=" + library(), null, 200));
    m.put("get_album", op -> req(op, "/api/albums/" + album(library()), null, 200));
    m.put("update_album", op -> req(op, "/api/albums/" + album(library()), new JsonObject().put("name", "x"), 200));
    m.put("delete_album", op -> req(op, "/api/albums/" + album(library()), null, 200));
    m.put("add_assets_to_album", op -> {
      String lib = library();
      return req(op, "/api/albums/" + album(lib) + "/assets", assetIds(asset(lib)), 200);
    });
    m.put("remove_assets_from_album", op -> {
      String lib = library();
      String album = album(lib);
      String asset = asset(lib);
      assertStatus(200, server.post("/api/albums/" + album + "/assets", owner.key(), assetIds(asset)));
      return req(op, "/api/albums/" + album + "/assets", assetIds(asset), 200);
    });
    m.put("list_album_assets", op -> req(op, "/api/album-assets?library_id=" + library(), null, 200));
    m.put("get_album_asset", op -> {
      String lib = library();
      String album = album(lib);
      assertStatus(200, server.post("/api/albums/" + album + "/assets", owner.key(), assetIds(asset(lib))));
      HttpResponse<Buffer> links = server.get("/api/album-assets?album_id=" + album + "&library_id=" + lib, owner.key());
      assertStatus(200, links);
      return req(op, "/api/album-assets/" + links.bodyAsJsonObject().getJsonArray("data").getJsonObject(0).getString("id"),
        null, 200);
    });
    m.put("create_person", op -> req(op, "/api/people", new JsonObject().put("library_id", library()), 201));
    m.put("list_people", op -> req(op, "/api/people?library_id=" + library(), null, 200));
    m.put("get_person", op -> req(op, "/api/people/" + person(library()), null, 200));
    m.put("update_person", op -> req(op, "/api/people/" + person(library()), new JsonObject().put("name", "N"), 200));
    m.put("delete_person", op -> req(op, "/api/people/" + person(library()), null, 200));
    m.put("merge_people", op -> {
      String lib = library();
      return req(op, "/api/people/" + person(lib) + "/merge",
        new JsonObject().put("source_person_ids", new JsonArray().add(person(lib))), 200);
    });
    m.put("create_face", op -> {
      String lib = library();
      return req(op, "/api/faces", faceBody(lib), 201);
    });
    m.put("list_faces", op -> req(op, "/api/faces?library_id=" + library(), null, 200));
    m.put("get_face", op -> req(op, "/api/faces/" + face(library()), null, 200));
    m.put("update_face", op -> {
      String lib = library();
      return req(op, "/api/faces/" + face(lib), new JsonObject().put("person_id", person(lib)), 200);
    });
    m.put("delete_face", op -> req(op, "/api/faces/" + face(library()), null, 200));
    return m;
  }

  private static String person(String lib) {
    HttpResponse<Buffer> res = server.post("/api/people", owner.key(), new JsonObject().put("library_id", lib));
    assertStatus(201, res);
    return res.bodyAsJsonObject().getString("id");
  }

  /** A face on a real photo (its size is known): a 1x1 box at its corner. */
  private static JsonObject faceBody(String lib) {
    return new JsonObject().put("library_id", lib).put("asset_id", server.uploadPhoto(owner, lib).getString("id"))
      .put("bounding_box", new JsonObject().put("x", 0).put("y", 0).put("w", 1).put("h", 1));
  }

  private static String face(String lib) {
    HttpResponse<Buffer> res = server.post("/api/faces", owner.key(), faceBody(lib));
    assertStatus(201, res);
    return res.bodyAsJsonObject().getString("id");
  }

  private static String stack(String lib, String... assets) {
    List<String> members = assets.length > 0 ? List.of(assets) : List.of(asset(lib), asset(lib));
    HttpResponse<Buffer> res = server.post("/api/stacks", owner.key(), new JsonObject().put("library_id", lib)
      .put("asset_ids", new JsonArray(List.copyOf(members))));
    assertStatus(201, res);
    return res.bodyAsJsonObject().getString("id");
  }

  private static JsonObject assetIds(String... ids) {
    return new JsonObject().put("asset_ids", new JsonArray(List.of((Object[]) ids)));
  }

  private static Request req(Op op, String uri, JsonObject body, int expected) {
    // The contract's path, with its parameters filled, must be the one we call.
    String pattern = "^" + op.path().replaceAll("/$", "").replaceAll("\\{[^}]+}", "[^/?]+") + "/?(\\?.*)?$";
    assertTrue(uri.matches(pattern), op.id() + ": " + uri + " is not " + op.path());
    return new Request(op.method(), uri, body, null, expected);
  }

  private static JsonObject ids(String... ids) {
    return new JsonObject().put("ids", new JsonArray(List.of((Object[]) ids)));
  }

  private static String album(String lib) {
    HttpResponse<Buffer> res = server.post("/api/albums", owner.key(), new JsonObject().put("library_id", lib));
    assertStatus(201, res);
    return res.bodyAsJsonObject().getString("id");
  }

  private static String library() {
    return server.createLibrary(owner, "fixture");
  }

  private static String trashedLibrary() {
    String lib = library();
    assertStatus(200, server.post("/api/libraries/" + lib + "/trash", owner.key(), null));
    return lib;
  }

  private static String asset(String lib) {
    return server.uploadRandom(owner, lib).getString("id");
  }

  /** A real photo whose renditions are made: one, since only reads use it (rendering takes a while). */
  private static String renderedPhoto() {
    if (renderedPhoto == null) {
      Prerequisite.requireTools("vips", "vipsheader");
      renderedPhoto = server.uploadPhoto(owner, library()).getString("id");
      server.renderQueued();
    }
    return renderedPhoto;
  }

  private static String renderedPhoto;

  private static String taskOf(String asset) {
    return server.get("/api/tasks/asset/" + asset, owner.key()).bodyAsJsonArray().getJsonObject(0).getString("id");
  }

  private static String trashedAsset(String lib) {
    String id = asset(lib);
    assertStatus(200, server.post("/api/assets/trash?library_id=" + lib, owner.key(), ids(id)));
    return id;
  }

  private static String spareKey() {
    return AuthTesting.createKey(server, owner, List.of("read"), null).id();
  }

  private static HttpResponse<Buffer> send(Request r, String secret) {
    HttpRequest<Buffer> req = server.client.request(r.method(), r.uri()).bearerTokenAuthentication(secret);
    if (r.form() != null) {
      return req.sendMultipartForm(r.form()).await();
    }
    return (r.body() == null ? req.send() : req.sendJsonObject(r.body())).await();
  }
}
