package org.eucalypt.auth;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Row;
import org.eucalypt.support.TestServer;
import org.eucalypt.support.TestServer.User;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the auth tests share: making keys over HTTP, and the answers they expect. */
final class AuthTesting {
  static final List<String> ALL_ACTIONS = List.of("read", "write", "delete", "delete_permanently");

  private AuthTesting() {
  }

  /** A key's id ({@code apikey_...}) and its secret, as a {@link User} of the same person for the harness. */
  record Key(String id, String secret, String userId) {
    User user() {
      return new User(userId, secret);
    }
  }

  static JsonObject keyBody(String name, List<String> actions, String mode, List<String> libraryIds) {
    JsonObject body = new JsonObject().put("name", name).put("actions", new JsonArray(new ArrayList<>(actions)));
    if (mode != null) {
      body.put("library_scope_mode", mode);
    }
    if (libraryIds != null) {
      body.put("library_ids", new JsonArray(new ArrayList<>(libraryIds)));
    }
    return body;
  }

  /** Creates a key through the API with {@code owner}'s full-access key; asserts the 201. */
  static Key createKey(TestServer server, User owner, List<String> actions, List<String> libraryIds) {
    String mode = libraryIds == null ? "all_libraries" : "selected_libraries";
    HttpResponse<Buffer> res = server.post("/api/api-keys/", owner.key(),
      keyBody("key " + actions + " " + mode, actions, mode, libraryIds));
    assertEquals(201, res.statusCode(), res.bodyAsString());
    JsonObject k = res.bodyAsJsonObject();
    return new Key(k.getString("id"), k.getString("key"), owner.id());
  }

  /**
   * A key put straight into the database, for action sets the API refuses to make (a lone
   * {@code write}, say): the permission check must still go by exactly the actions the key has.
   */
  static Key insertKey(TestServer server, User owner, List<String> actions) {
    UUID id = UUID.randomUUID();
    String secret = Secrets.newSecret();
    server.sql("INSERT INTO api_keys (id, user_id, name, secret_sha256, actions, library_scope_mode) "
        + "VALUES ($1, $2, $3, $4, $5, 'all_libraries')",
      id, org.eucalypt.id.Ids.USER.parse(owner.id()).orElseThrow(), "inserted " + actions,
      Buffer.buffer(Secrets.hash(secret)), actions.toArray(String[]::new));
    return new Key(org.eucalypt.id.Ids.API_KEY.format(id), secret, owner.id());
  }

  static void assertStatus(int expected, HttpResponse<Buffer> res) {
    assertEquals(expected, res.statusCode(), () -> "body: " + res.bodyAsString());
  }

  static void assertNotFound(HttpResponse<Buffer> res) {
    assertStatus(404, res);
    assertEquals(new JsonObject().put("detail", "Not found"), res.bodyAsJsonObject());
  }

  static void assertNotAuthenticated(HttpResponse<Buffer> res) {
    assertStatus(401, res);
    assertEquals(new JsonObject().put("detail", "Not authenticated"), res.bodyAsJsonObject());
  }

  static void assertForbidden(HttpResponse<Buffer> res) {
    assertStatus(403, res);
    JsonObject body = res.bodyAsJsonObject();
    assertEquals(1, body.size(), body.encode());
    assertInstanceOf(String.class, body.getValue("detail"), body.encode());
    assertFalse(body.getString("detail").isBlank());
  }

  /** A 422 in FastAPI's shape whose first error is at {@code loc} (a prefix of it) with {@code type}. */
  static JsonObject assertValidation(HttpResponse<Buffer> res, List<Object> loc, String type) {
    assertStatus(422, res);
    JsonArray detail = res.bodyAsJsonObject().getJsonArray("detail");
    assertFalse(detail.isEmpty(), res.bodyAsString());
    JsonObject first = detail.getJsonObject(0);
    List<Object> actual = first.getJsonArray("loc").getList();
    assertTrue(actual.size() >= loc.size() && actual.subList(0, loc.size()).equals(loc),
      () -> "loc " + actual + " should start with " + loc + ": " + res.bodyAsString());
    assertEquals(type, first.getString("type"), res.bodyAsString());
    assertInstanceOf(String.class, first.getValue("msg"), res.bodyAsString());
    return first;
  }

  /** The key in {@code GET /api/api-keys/}, or null. */
  static JsonObject listedKey(TestServer server, User owner, String keyId) {
    HttpResponse<Buffer> res = server.get("/api/api-keys/", owner.key());
    assertStatus(200, res);
    for (Object o : res.bodyAsJsonArray()) {
      JsonObject k = (JsonObject) o;
      if (keyId.equals(k.getString("id"))) {
        return k;
      }
    }
    return null;
  }

  /**
   * Everything the API can change, as text: every row of the user-facing tables (without
   * {@code last_used_at}, which the periodic flush moves on its own). Equal snapshots: nothing changed.
   */
  static String snapshot(TestServer server) {
    StringBuilder out = new StringBuilder();
    for (String table : List.of("users", "api_keys", "api_key_libraries", "libraries", "assets", "albums", "album_assets",
      "events")) {
      out.append(table).append(":\n");
      for (Row r : server.sql("SELECT (to_jsonb(t) - 'last_used_at')::text FROM " + table + " t ORDER BY 1")) {
        out.append(r.getString(0)).append('\n');
      }
    }
    out.append("files: ").append(new java.util.TreeSet<>(server.storedFiles())).append('\n');
    return out.toString();
  }
}
