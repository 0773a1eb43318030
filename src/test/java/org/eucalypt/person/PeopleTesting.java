package org.eucalypt.person;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.eucalypt.id.Ids;
import org.eucalypt.support.TestServer;
import org.eucalypt.support.TestServer.User;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Requests and checks the people and face tests share, over HTTP against one test server. */
final class PeopleTesting {
  private final TestServer server;

  PeopleTesting(TestServer server) {
    this.server = server;
  }

  /** A real 64x48 JPEG: its width and height are known, so faces can be drawn on it. */
  String photo(User user, String lib) {
    return server.uploadPhoto(user, lib).getString("id");
  }

  HttpResponse<Buffer> createPerson(User user, JsonObject body) {
    return server.post("/api/people", user.key(), body);
  }

  JsonObject person(User user, String lib, String name) {
    JsonObject body = new JsonObject().put("library_id", lib);
    if (name != null) {
      body.put("name", name);
    }
    HttpResponse<Buffer> res = createPerson(user, body);
    assertEquals(201, res.statusCode(), res.bodyAsString());
    return res.bodyAsJsonObject();
  }

  HttpResponse<Buffer> createFace(User user, String lib, String asset, int x, int y, int w, int h, String person) {
    JsonObject body = new JsonObject().put("asset_id", asset)
      .put("bounding_box", new JsonObject().put("x", x).put("y", y).put("w", w).put("h", h));
    if (lib != null) {
      body.put("library_id", lib);
    }
    if (person != null) {
      body.put("person_id", person);
    }
    return server.post("/api/faces", user.key(), body);
  }

  /** A 10x10 face at the top left of the asset. */
  JsonObject face(User user, String lib, String asset, String person) {
    HttpResponse<Buffer> res = createFace(user, lib, asset, 0, 0, 10, 10, person);
    assertEquals(201, res.statusCode(), res.bodyAsString());
    return res.bodyAsJsonObject();
  }

  HttpResponse<Buffer> patch(User user, String uri, JsonObject body) {
    return server.call(HttpMethod.PATCH, uri, user.key(), body);
  }

  HttpResponse<Buffer> delete(User user, String uri) {
    return server.call(HttpMethod.DELETE, uri, user.key(), null);
  }

  JsonObject get(User user, String uri) {
    HttpResponse<Buffer> res = server.get(uri, user.key());
    assertEquals(200, res.statusCode(), uri + ": " + res.bodyAsString());
    return res.bodyAsJsonObject();
  }

  int status(User user, String uri) {
    return server.get(uri, user.key()).statusCode();
  }

  static List<String> ids(JsonObject page) {
    return page.getJsonArray("data").stream().map(o -> ((JsonObject) o).getString("id")).toList();
  }

  /** The library's events after {@code cursor} of these entity types, in order. */
  List<JsonObject> events(User user, String lib, long cursor, String entityTypes) {
    return get(user, "/api/events?library_id=" + lib + "&limit=200&after_cursor=" + cursor + "&entity_types=" + entityTypes)
      .getJsonArray("data").stream().map(o -> (JsonObject) o).toList();
  }

  long eventCursor() {
    return server.count("SELECT coalesce(max(id), 0) FROM events");
  }

  void trashAssets(User user, String lib, String... assets) {
    HttpResponse<Buffer> res = server.post("/api/assets/trash?library_id=" + lib, user.key(),
      new JsonObject().put("ids", new JsonArray(List.of((Object[]) assets))));
    assertEquals(200, res.statusCode(), res.bodyAsString());
  }

  void restoreAssets(User user, String lib, String... assets) {
    HttpResponse<Buffer> res = server.post("/api/assets/restore?library_id=" + lib, user.key(),
      new JsonObject().put("ids", new JsonArray(List.of((Object[]) assets))));
    assertEquals(200, res.statusCode(), res.bodyAsString());
  }

  String scopedKey(User user, String lib) {
    HttpResponse<Buffer> res = server.post("/api/api-keys/", user.key(), new JsonObject().put("name", "scoped")
      .put("actions", new JsonArray().add("read").add("write").add("delete").add("delete_permanently"))
      .put("library_scope_mode", "selected_libraries").put("library_ids", new JsonArray().add(lib)));
    assertEquals(201, res.statusCode(), res.bodyAsString());
    return res.bodyAsJsonObject().getString("key");
  }

  static java.util.UUID uuid(Ids type, String id) {
    return type.parse(id).orElseThrow();
  }

  static void assertStatus(int expected, HttpResponse<Buffer> res) {
    assertEquals(expected, res.statusCode(), res.bodyAsString());
  }

  static void assertValidation(HttpResponse<Buffer> res, String field) {
    assertEquals(422, res.statusCode(), res.bodyAsString());
    JsonArray detail = res.bodyAsJsonObject().getJsonArray("detail");
    Set<Object> fields = new HashSet<>();
    detail.forEach(d -> ((JsonObject) d).getJsonArray("loc").forEach(fields::add));
    assertTrue(fields.contains(field), field + " not in " + detail.encode());
  }
}
