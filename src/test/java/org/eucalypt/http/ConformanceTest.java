package org.eucalypt.http;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.eucalypt.support.TestServer;
import org.eucalypt.support.TestServer.User;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the official SDK relies on, item by item of the conformance issue (#15): types, content
 * types, defaults and refusals as Gumnut documents them. Every answer here is also checked
 * against openapi.yaml by the test client (support.ContractCheck).
 */
class ConformanceTest {
  private static Vertx vertx;
  private static TestServer server;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    server = TestServer.start(vertx);
  }

  @AfterAll
  static void stop() {
    server.stop();
    vertx.close().await();
  }

  /** Item 1: the limit is always an integer; an account without one reports 2^53 - 1. */
  @Test
  void anUnlimitedAccountReportsTheLargestExactIntegerAsItsLimit() {
    User alice = server.newUser();
    JsonObject me = server.get("/api/users/me", alice.key()).bodyAsJsonObject();
    assertEquals(9_007_199_254_740_991L, me.getValue("storage_limit_bytes"));
    server.sql("UPDATE users SET storage_limit_bytes = 5000 WHERE email = (SELECT email FROM users ORDER BY created_at DESC LIMIT 1)");
    // (the newest user is alice)
    assertEquals(5000L, ((Number) server.get("/api/users/me", alice.key()).bodyAsJsonObject()
      .getValue("storage_limit_bytes")).longValue());
  }

  /**
   * A literal {@code %} in a query value (sent as {@code %25}) is a value like any other: a name
   * filter finds the person named "100%" (vertx-openapi's validator decoded it a second time and
   * failed with a 500: eclipse-vertx/vertx-openapi#117, #124).
   */
  @Test
  void aPercentSignInAQueryValueIsAValueNotAServerError() {
    User alice = server.newUser();
    String lib = server.createLibrary(alice, "100% holidays");
    for (String name : List.of("Ana 100%", "Bo 1000", "Cy 100+1")) {
      assertEquals(201, server.post("/api/people", alice.key(), new JsonObject().put("library_id", lib).put("name", name))
        .statusCode());
    }
    // A literal % and + are characters of the name, neither wildcards nor spaces.
    for (String[] search : new String[][] {{"100%25", "Ana 100%"}, {"100%2B1", "Cy 100+1"}}) {
      HttpResponse<Buffer> people = server.get("/api/people?library_id=" + lib + "&name=" + search[0], alice.key());
      assertEquals(200, people.statusCode(), people.bodyAsString());
      JsonArray found = people.bodyAsJsonObject().getJsonArray("data");
      assertEquals(1, found.size(), people.bodyAsString());
      assertEquals(search[1], found.getJsonObject(0).getString("name"));
    }
    HttpResponse<Buffer> assets = server.get("/api/assets?library_id=%25", alice.key());
    assertEquals(404, assets.statusCode(), assets.bodyAsString());
  }

  /** Item 2: ping is text, as the SDK asks for it. */
  @Test
  void pingAnswersPongAsText() {
    HttpResponse<Buffer> ping = server.client.get("/api/server/ping").putHeader("Accept", "text/plain").send().await();
    assertEquals(200, ping.statusCode());
    assertEquals("pong", ping.bodyAsString());
    assertTrue(ping.getHeader("content-type").startsWith("text/plain"));
  }

  /** Item 3: an upload without library_id goes where Gumnut documents it. */
  @Test
  void anUploadWithoutALibraryUsesTheSoleOneOrMakesADefault() {
    User bob = server.newUser();
    // No live library at all: a fresh default library, made once.
    JsonObject first = server.uploadRandom(bob, null);
    JsonArray libraries = server.get("/api/libraries", bob.key()).bodyAsJsonArray();
    assertEquals(1, libraries.size());
    assertEquals(libraries.getJsonObject(0).getString("id"), first.getString("library_id"));
    assertEquals("Default library", libraries.getJsonObject(0).getString("name"));
    // Now it is the sole live library.
    assertEquals(first.getString("library_id"), server.uploadRandom(bob, null).getString("library_id"));
    assertEquals(1, server.get("/api/libraries", bob.key()).bodyAsJsonArray().size());

    // Several live libraries: 400, nothing made.
    String second = server.createLibrary(bob, "Second");
    HttpResponse<Buffer> refused = server.upload(bob, null, "x.jpg", TestServer.randomBytes(100));
    assertEquals(400, refused.statusCode(), refused.bodyAsString());
    assertEquals(2, server.get("/api/libraries", bob.key()).bodyAsJsonArray().size());

    // A key scoped to one library: that one, whatever else the account has.
    String scoped = server.post("/api/api-keys/", bob.key(), new JsonObject().put("name", "one")
        .put("actions", new JsonArray().add("read").add("write"))
        .put("library_scope_mode", "selected_libraries").put("library_ids", new JsonArray().add(second)))
      .bodyAsJsonObject().getString("key");
    HttpResponse<Buffer> viaScoped = server.upload(new User(null, scoped), null, "s.jpg", TestServer.randomBytes(100));
    assertEquals(201, viaScoped.statusCode(), viaScoped.bodyAsString());
    assertEquals(second, viaScoped.bodyAsJsonObject().getString("library_id"));

    // Concurrent first uploads of an account with no library make exactly one default.
    User carol = server.newUser();
    List<java.util.concurrent.Callable<HttpResponse<Buffer>>> uploads = new java.util.ArrayList<>();
    for (int i = 0; i < 6; i++) {
      int n = i;
      uploads.add(() -> server.upload(carol, null, "c" + n + ".jpg", TestServer.randomBytes(300)));
    }
    java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(uploads.size());
    try {
      for (java.util.concurrent.Future<HttpResponse<Buffer>> u : clients.invokeAll(uploads)) {
        assertEquals(201, u.get().statusCode(), u.get().bodyAsString());
      }
    } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
      throw new AssertionError(e);
    } finally {
      clients.shutdownNow();
    }
    assertEquals(1, server.get("/api/libraries", carol.key()).bodyAsJsonArray().size());
    assertEquals(1, server.count("SELECT count(*) FROM events WHERE event_type = 'library_created' AND user_id = "
      + "(SELECT user_id FROM libraries WHERE id = (SELECT library_id FROM assets ORDER BY created_at DESC LIMIT 1))"));
  }

  /** Items 5 and 7: include, repeated or comma-separated; the parts eucalypt has none of are empty, not null. */
  @Test
  void includeTakesBothFormsAndEveryPartHasItsDocumentedShape() {
    User dave = server.newUser();
    String lib = server.createLibrary(dave, "Parts");
    String id = server.uploadRandom(dave, lib).getString("id");
    for (String query : List.of("include=file_data,metadata,faces,people,metrics",
      "include=file_data&include=metadata&include=faces&include=people&include=metrics")) {
      JsonObject asset = server.get("/api/assets/" + id + "?" + query, dave.key()).bodyAsJsonObject();
      assertNotNull(asset.getJsonObject("file_data"), query);
      assertEquals(id, asset.getJsonObject("metadata").getString("asset_id"), query);
      assertEquals(new JsonArray(), asset.getJsonArray("faces"), query);
      assertEquals(new JsonArray(), asset.getJsonArray("people"), query);
      assertEquals(new JsonObject(), asset.getJsonObject("metrics"), query);
      JsonObject listed = server.get("/api/assets?library_id=" + lib + "&" + query, dave.key()).bodyAsJsonObject()
        .getJsonArray("data").getJsonObject(0);
      assertEquals(asset.getJsonObject("file_data"), listed.getJsonObject("file_data"), query);
      assertEquals(new JsonArray(), listed.getJsonArray("faces"), query);
    }
    // Not asked for: absent (the SDK reads null).
    JsonObject lean = server.get("/api/assets/" + id, dave.key()).bodyAsJsonObject();
    for (String part : List.of("file_data", "metadata", "faces", "people", "metrics")) {
      assertNull(lean.getValue(part), part);
    }
    HttpResponse<Buffer> unknown = server.get("/api/assets/" + id + "?include=file_data,colours", dave.key());
    assertEquals(422, unknown.statusCode());
    assertEquals(new JsonArray().add("query").add("include"),
      unknown.bodyAsJsonObject().getJsonArray("detail").getJsonObject(0).getJsonArray("loc"));
  }

  /** Item 6: counts pages by 1 to 200 months, 20 by default. */
  @Test
  void countsTakeOneTo200MonthsAndTwentyByDefault() {
    User erin = server.newUser();
    String lib = server.createLibrary(erin, "Years");
    for (int month = 1; month <= 22; month++) {
      String at = String.format("20%02d-%02d-15T12:00:00Z", 20 + (month - 1) / 12, (month - 1) % 12 + 1);
      assertEquals(201, server.upload(erin, lib, "m" + month + ".jpg", TestServer.randomBytes(64 + month), at)
        .statusCode());
    }
    JsonObject counts = server.get("/api/assets/counts?library_id=" + lib, erin.key()).bodyAsJsonObject();
    assertEquals(20, counts.getJsonArray("data").size());
    assertTrue(counts.getBoolean("has_more"));
    assertEquals(22, server.get("/api/assets/counts?library_id=" + lib + "&limit=200", erin.key()).bodyAsJsonObject()
      .getJsonArray("data").size());
    assertEquals(422, server.get("/api/assets/counts?library_id=" + lib + "&limit=201", erin.key()).statusCode());
    assertEquals(422, server.get("/api/assets/counts?library_id=" + lib + "&limit=0", erin.key()).statusCode());
  }

  /** Item 8: a filter eucalypt cannot apply yet is refused by name, never silently ignored. */
  @Test
  void anUnsupportedFilterIsRefusedByName() {
    User fay = server.newUser();
    String lib = server.createLibrary(fay, "Filters");
    server.uploadRandom(fay, lib);
    Map<String, List<String>> unsupported = Map.of(
      "/api/assets", List.of("bbox=-77.1,38.9,-77.0,39.0", "center=-77.05,38.95", "radius=10"));
    unsupported.forEach((path, filters) -> {
      for (String filter : filters) {
        HttpResponse<Buffer> res = server.get(path + "?library_id=" + lib + "&" + filter, fay.key());
        assertEquals(422, res.statusCode(), path + "?" + filter);
        JsonObject error = res.bodyAsJsonObject().getJsonArray("detail").getJsonObject(0);
        assertEquals(filter.substring(0, filter.indexOf('=')), error.getJsonArray("loc").getString(1));
      }
    });
  }

  /** Item 9: every entity type Gumnut names is accepted by the feed, plus eucalypt's own library. */
  @Test
  void theFeedAcceptsGumnutsEntityTypes() {
    User gus = server.newUser();
    String lib = server.createLibrary(gus, "Feed");
    HttpResponse<Buffer> res = server.get("/api/events?library_id=" + lib
      + "&entity_types=asset,album,person,face,album_asset,metadata,stack&entity_types=library", gus.key());
    assertEquals(200, res.statusCode(), res.bodyAsString());
    assertEquals("library_created", res.bodyAsJsonObject().getJsonArray("data").getJsonObject(0).getString("event_type"));
    assertEquals(422, server.get("/api/events?library_id=" + lib + "&entity_types=albums", gus.key()).statusCode());
  }

  /** Item 10: FastAPI's router answers: 405 with Allow, 404 Not Found, and no route read as an id. */
  @Test
  void unservedMethodsAndPathsAnswerAsFastApisRouterDoes() {
    User hal = server.newUser();
    HttpResponse<Buffer> put = server.call(HttpMethod.PUT, "/api/libraries", hal.key(), new JsonObject());
    assertEquals(405, put.statusCode());
    assertEquals("GET, POST", put.getHeader("Allow"));
    assertEquals(new JsonObject().put("detail", "Method Not Allowed"), put.bodyAsJsonObject());
    HttpResponse<Buffer> trashGet = server.get("/api/assets/trash", hal.key());
    assertEquals(405, trashGet.statusCode());
    assertEquals("POST", trashGet.getHeader("Allow"));
    // A path Gumnut has and eucalypt does not serve yet is not an asset id.
    HttpResponse<Buffer> geo = server.get("/api/assets/geo-clusters", hal.key());
    assertEquals(404, geo.statusCode());
    assertEquals(new JsonObject().put("detail", "Not Found"), geo.bodyAsJsonObject());
    HttpResponse<Buffer> unknown = server.get("/api/no-such-thing", hal.key());
    assertEquals(404, unknown.statusCode());
    assertEquals(new JsonObject().put("detail", "Not Found"), unknown.bodyAsJsonObject());
    // Whereas an id that names nothing is a missing resource.
    HttpResponse<Buffer> missing = server.get("/api/assets/asset_2JZwZxWFHHBLGqfLByDAq3", hal.key());
    assertEquals(404, missing.statusCode());
    assertEquals(new JsonObject().put("detail", "Not found"), missing.bodyAsJsonObject());
    assertFalse(server.get("/api/assets/counts", hal.key()).statusCode() == 405);
  }
}
