package org.eucalypt.album;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.eucalypt.support.TestServer;
import org.eucalypt.support.TestServer.User;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Album calls over HTTP as an SDK makes them, each checked for its status. */
final class AlbumTesting {
  private final TestServer server;

  AlbumTesting(TestServer server) {
    this.server = server;
  }

  JsonObject create(User user, String library, String name) {
    JsonObject body = new JsonObject().put("library_id", library);
    if (name != null) {
      body.put("name", name);
    }
    HttpResponse<Buffer> res = server.post("/api/albums", user.key(), body);
    assertEquals(201, res.statusCode(), res.bodyAsString());
    return res.bodyAsJsonObject();
  }

  String createId(User user, String library) {
    return create(user, library, "Album " + UUID.randomUUID()).getString("id");
  }

  JsonObject get(User user, String album) {
    HttpResponse<Buffer> res = server.get("/api/albums/" + album, user.key());
    assertEquals(200, res.statusCode(), res.bodyAsString());
    return res.bodyAsJsonObject();
  }

  HttpResponse<Buffer> patch(User user, String album, JsonObject body) {
    return server.call(HttpMethod.PATCH, "/api/albums/" + album, user.key(), body);
  }

  HttpResponse<Buffer> addCall(User user, String album, String... assets) {
    return server.post("/api/albums/" + album + "/assets", user.key(), assetIds(assets));
  }

  JsonObject add(User user, String album, String... assets) {
    HttpResponse<Buffer> res = addCall(user, album, assets);
    assertEquals(200, res.statusCode(), res.bodyAsString());
    return res.bodyAsJsonObject();
  }

  HttpResponse<Buffer> removeCall(User user, String album, String... assets) {
    return server.call(HttpMethod.DELETE, "/api/albums/" + album + "/assets", user.key(), assetIds(assets));
  }

  void remove(User user, String album, String... assets) {
    HttpResponse<Buffer> res = removeCall(user, album, assets);
    assertEquals(200, res.statusCode(), res.bodyAsString());
    assertEquals(new JsonObject(), res.bodyAsJsonObject());
  }

  static JsonObject assetIds(String... ids) {
    return new JsonObject().put("asset_ids", new JsonArray(List.of((Object[]) ids)));
  }

  /** A page's {@code data}, asserting a 200. */
  JsonArray page(User user, String uri) {
    HttpResponse<Buffer> res = server.get(uri, user.key());
    assertEquals(200, res.statusCode(), uri + ": " + res.bodyAsString());
    return res.bodyAsJsonObject().getJsonArray("data");
  }

  List<String> ids(User user, String uri) {
    List<String> out = new ArrayList<>();
    page(user, uri).forEach(o -> out.add(((JsonObject) o).getString("id")));
    return out;
  }

  /** Uploads random bytes captured at {@code when} (ISO 8601) and answers the asset id. */
  String upload(User user, String library, String when) {
    HttpResponse<Buffer> res = server.upload(user, library, "p-" + UUID.randomUUID() + ".jpg",
      TestServer.randomBytes(1024), when);
    assertEquals(201, res.statusCode(), res.bodyAsString());
    return res.bodyAsJsonObject().getString("id");
  }

  String upload(User user, String library) {
    return upload(user, library, "2024-05-01T10:00:00Z");
  }

  void assets(User user, String action, String library, String... ids) {
    HttpResponse<Buffer> res = server.call("delete".equals(action) ? HttpMethod.DELETE : HttpMethod.POST,
      "/api/assets" + ("delete".equals(action) ? "" : "/" + action) + "?library_id=" + library, user.key(),
      new JsonObject().put("ids", new JsonArray(List.of((Object[]) ids))));
    assertEquals(200, res.statusCode(), res.bodyAsString());
  }

  /** The library's events of these entity types, oldest first, as {@code type entity_id payload}. */
  List<String> events(User user, String library, String entityTypes) {
    List<String> out = new ArrayList<>();
    String cursor = null;
    while (true) {
      HttpResponse<Buffer> res = server.get("/api/events?library_id=" + library + "&entity_types=" + entityTypes
        + "&limit=200" + (cursor == null ? "" : "&after_cursor=" + cursor), user.key());
      assertEquals(200, res.statusCode(), res.bodyAsString());
      JsonObject body = res.bodyAsJsonObject();
      for (Object o : body.getJsonArray("data")) {
        JsonObject e = (JsonObject) o;
        JsonObject payload = e.getJsonObject("payload");
        String said = payload == null || payload.isEmpty() ? ""
          : payload.containsKey("album_cover_asset_id") ? " cover=" + payload.getString("album_cover_asset_id")
          : " " + payload.getString("album_id") + " " + payload.getString("asset_id");
        out.add(e.getString("event_type") + " " + e.getString("entity_id") + said);
        cursor = e.getString("cursor");
      }
      if (!body.getBoolean("has_more")) {
        return out;
      }
    }
  }

  /** A full-access key limited to the given libraries. */
  String scopedKey(User user, String... libraries) {
    HttpResponse<Buffer> res = server.post("/api/api-keys/", user.key(), new JsonObject()
      .put("name", "scoped")
      .put("actions", new JsonArray(List.of("read", "write", "delete", "delete_permanently")))
      .put("library_scope_mode", "selected_libraries")
      .put("library_ids", new JsonArray(List.of((Object[]) libraries))));
    assertEquals(201, res.statusCode(), res.bodyAsString());
    return res.bodyAsJsonObject().getString("api_key");
  }
}
