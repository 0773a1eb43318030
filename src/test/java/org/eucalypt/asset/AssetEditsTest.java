package org.eucalypt.asset;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Row;
import org.eucalypt.id.Ids;
import org.eucalypt.support.Prerequisite;
import org.eucalypt.support.TestServer;
import org.eucalypt.support.TestServer.User;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Asset edits ({@code update_asset}, {@code bulk_update_assets}) and {@code check_existence},
 * over HTTP against real PostgreSQL; every answer is checked against openapi.yaml. An edit is
 * kept apart from what the file said, so clearing it shows the file's value again; a bulk edit
 * applies every item or none.
 */
@ExtendWith(VertxExtension.class)
class AssetEditsTest {
  private static TestServer server;
  private User alice;
  private String lib;

  @BeforeAll
  static void start(Vertx vertx) {
    server = TestServer.start(vertx);
  }

  @AfterAll
  static void stop() {
    server.stop();
  }

  @BeforeEach
  void library() {
    alice = server.newUser();
    lib = server.createLibrary(alice, "Photos");
  }

  // ================================================================ update_asset

  @Test
  void eachFieldIsSetAndClearedBackToWhatTheFileSaid() throws Exception {
    Prerequisite.requireTools("exiftool", "vips", "vipsheader");
    byte[] photo = exifPhoto();
    HttpResponse<Buffer> up = server.upload(alice, lib, "eiffel.jpg", Buffer.buffer(photo), "2024-02-02T02:02:02Z");
    assertEquals(201, up.statusCode(), up.bodyAsString());
    String id = up.bodyAsJsonObject().getString("id");
    // The upload queued its rendition task, which reads the file's metadata.
    server.renderQueued();
    assertEquals(1, server.count("SELECT count(*) FROM asset_metadata WHERE asset_id = $1",
      Ids.ASSET.parse(id).orElseThrow()));

    JsonObject file = metadata(id);
    assertEquals("Tour Eiffel", file.getString("description"), file.encode());
    assertEquals(48.8584, file.getDouble("latitude"), 1e-6);
    assertEquals(2.2945, file.getDouble("longitude"), 1e-6);
    assertEquals("2021-07-14T18:30:05.000000+02:00", file.getString("original_datetime"));
    assertEquals("Canon", file.getString("make"));

    // Every field edited at once; the answer carries the metadata the edit changed.
    JsonObject edited = patch(id, new JsonObject().put("description", "Trocadéro at dusk")
      .put("latitude", -33.8568).put("longitude", 151.2153).put("original_datetime", "2020-01-02T03:04:05-05:00"));
    assertEquals("2020-01-02T03:04:05.000000-05:00", edited.getString("local_datetime"));
    JsonObject m = edited.getJsonObject("metadata");
    assertEquals("Trocadéro at dusk", m.getString("description"));
    assertEquals(-33.8568, m.getDouble("latitude"), 1e-9);
    assertEquals(151.2153, m.getDouble("longitude"), 1e-9);
    assertEquals("2020-01-02T03:04:05.000000-05:00", m.getString("original_datetime"));
    assertEquals("Canon", m.getString("make"), "what no edit touches stays the file's");
    assertEquals(m, metadata(id), "a later read shows the same");
    assertTrue(edited.getString("updated_at").compareTo(up.bodyAsJsonObject().getString("updated_at")) >= 0);

    // A field left out stays as it is; an explicit null goes back to the file's value.
    m = patch(id, new JsonObject().put("description", null)).getJsonObject("metadata");
    assertEquals("Tour Eiffel", m.getString("description"));
    assertEquals(-33.8568, m.getDouble("latitude"), 1e-9);
    assertEquals("2020-01-02T03:04:05.000000-05:00", m.getString("original_datetime"));

    m = patch(id, new JsonObject().put("latitude", null).put("longitude", null)).getJsonObject("metadata");
    assertEquals(48.8584, m.getDouble("latitude"), 1e-6);
    assertEquals(2.2945, m.getDouble("longitude"), 1e-6);
    assertEquals("2020-01-02T03:04:05.000000-05:00", m.getString("original_datetime"));

    JsonObject cleared = patch(id, new JsonObject().put("original_datetime", null));
    assertEquals("2021-07-14T18:30:05.000000+02:00", cleared.getString("local_datetime"));
    assertEquals(file.copy().put("updated_at", null), cleared.getJsonObject("metadata").copy().put("updated_at", null),
      "every edit cleared: the file's metadata again");

    // One event per edit, in the same order, saying what the request changed.
    List<JsonObject> payloads = editEvents(id);
    assertEquals(4, payloads.size(), payloads.toString());
    assertEquals(new JsonObject().put("change", "edited").put("edits", new JsonObject()
        .put("description", "Trocadéro at dusk").put("latitude", -33.8568).put("longitude", 151.2153)
        .put("original_datetime", "2020-01-02T03:04:05.000000-05:00")),
      payloads.get(0));
    assertEquals(new JsonObject().put("description", null), payloads.get(1).getJsonObject("edits"));
    assertEquals(new JsonObject().put("original_datetime", null), payloads.get(3).getJsonObject("edits"));
    server.assertInvariants();
  }

  @Test
  void captureTimeEditsMoveTheAssetInListsAndCountsAndClearingRestoresTheFilesTime() {
    String older = upload("2024-05-01T10:00:00+02:00");
    String newer = upload("2024-06-01T10:00:00+02:00");
    assertEquals(List.of(newer, older), listIds(""));

    // Naive stays naive; the edited asset sorts and counts by its new wall clock.
    JsonObject edited = patch(older, new JsonObject().put("original_datetime", "2025-01-15T08:00:00"));
    assertEquals("2025-01-15T08:00:00.000000", edited.getString("local_datetime"));
    assertEquals(List.of(older, newer), listIds(""));
    assertEquals(List.of(older), listIds("&local_datetime_after=2025-01-01T00:00:00"));
    JsonArray buckets = get("/api/assets/counts?library_id=" + lib).getJsonArray("data");
    assertEquals("2025-01-01T00:00:00.000000", buckets.getJsonObject(0).getString("time_bucket"), buckets.encode());

    // A second edit replaces the first; clearing still goes back to the file's time, not the first edit's.
    assertEquals("2023-03-03T03:03:03.000000Z",
      patch(older, new JsonObject().put("original_datetime", "2023-03-03T03:03:03Z")).getString("local_datetime"));
    assertEquals("2024-05-01T10:00:00.000000+02:00",
      patch(older, new JsonObject().put("original_datetime", null)).getString("local_datetime"));
    assertEquals(List.of(newer, older), listIds(""));

    // Clearing what was never edited changes nothing but the record's time; an empty body changes nothing.
    assertEquals("2024-06-01T10:00:00.000000+02:00",
      patch(newer, new JsonObject().put("original_datetime", null)).getString("local_datetime"));
    long events = eventCount();
    JsonObject same = patch(newer, new JsonObject());
    assertEquals("2024-06-01T10:00:00.000000+02:00", same.getString("local_datetime"));
    assertEquals(events, eventCount(), "an empty change writes no event");
  }

  @Test
  void aBrokenChangeIs422AtItsFieldAndChangesNothing() {
    String id = upload("2024-05-01T10:00:00Z");
    String before = state();

    assertValidation(call(HttpMethod.PATCH, "/api/assets/" + id, new JsonObject().put("latitude", 10.0)),
      List.of("body"), "value_error");
    assertValidation(call(HttpMethod.PATCH, "/api/assets/" + id, new JsonObject().put("longitude", 10.0)),
      List.of("body"), "value_error");
    assertValidation(call(HttpMethod.PATCH, "/api/assets/" + id,
      new JsonObject().put("latitude", 10.0).put("longitude", null)), List.of("body"), "value_error");
    assertEquals(422, call(HttpMethod.PATCH, "/api/assets/" + id,
      new JsonObject().put("latitude", 90.5).put("longitude", 0)).statusCode());
    assertEquals(422, call(HttpMethod.PATCH, "/api/assets/" + id,
      new JsonObject().put("latitude", 0).put("longitude", -180.01)).statusCode());
    assertEquals(422, call(HttpMethod.PATCH, "/api/assets/" + id,
      new JsonObject().put("latitude", "north").put("longitude", 0)).statusCode());
    assertValidation(call(HttpMethod.PATCH, "/api/assets/" + id,
      new JsonObject().put("original_datetime", "yesterday")), List.of("body", "original_datetime"),
      "datetime_from_date_parsing");
    assertEquals(422, call(HttpMethod.PATCH, "/api/assets/" + id, new JsonObject().put("description", 42)).statusCode());
    assertEquals(before, state());

    // The edges of the ranges are fine.
    JsonObject m = patch(id, new JsonObject().put("latitude", -90).put("longitude", 180)).getJsonObject("metadata");
    assertEquals(-90.0, m.getDouble("latitude"));
    assertEquals(180.0, m.getDouble("longitude"));
  }

  @Test
  void aTrashedAssetOrOneOfATrashedLibraryIs404() {
    String id = upload("2024-05-01T10:00:00Z");
    JsonObject change = new JsonObject().put("description", "x");
    assertEquals(200, server.post("/api/assets/trash?library_id=" + lib, alice.key(), ids(id)).statusCode());
    assertNotFound(call(HttpMethod.PATCH, "/api/assets/" + id, change));
    assertEquals(404, bulk(alice, update(id, change)).statusCode());
    assertEquals(200, server.post("/api/assets/restore?library_id=" + lib, alice.key(), ids(id)).statusCode());
    assertEquals("x", patch(id, change).getJsonObject("metadata").getString("description"));

    assertEquals(200, server.post("/api/libraries/" + lib + "/trash", alice.key(), null).statusCode());
    String before = state();
    assertNotFound(call(HttpMethod.PATCH, "/api/assets/" + id, new JsonObject().put("description", "y")));
    assertEquals(404, bulk(alice, update(id, change)).statusCode());
    assertEquals(before, state());
    assertEquals(200, server.post("/api/libraries/" + lib + "/restore", alice.key(), null).statusCode());
    assertEquals("y", patch(id, new JsonObject().put("description", "y")).getJsonObject("metadata").getString("description"));
  }

  @Test
  void anotherUsersAssetOrOneOutsideTheKeysLibrariesIs404AndReadOnlyKeysAre403() {
    String id = upload("2024-05-01T10:00:00Z");
    String otherLib = server.createLibrary(alice, "Elsewhere");
    User bob = server.newUser();
    String before = state();
    JsonObject change = new JsonObject().put("description", "mine now");

    assertNotFound(server.call(HttpMethod.PATCH, "/api/assets/" + id, bob.key(), change));
    assertEquals(404, bulk(bob, update(id, change)).statusCode());
    assertNotFound(server.call(HttpMethod.PATCH, "/api/assets/" + Ids.ASSET.format(UUID.randomUUID()), alice.key(), change));
    assertNotFound(server.call(HttpMethod.PATCH, "/api/assets/lib_" + id.substring(6), alice.key(), change));

    String scoped = key(alice, List.of("read", "write"), otherLib);
    assertNotFound(server.call(HttpMethod.PATCH, "/api/assets/" + id, scoped, change));
    assertEquals(404, bulk(new User(alice.id(), scoped), update(id, change)).statusCode());

    String readOnly = key(alice, List.of("read"), null);
    assertEquals(403, server.call(HttpMethod.PATCH, "/api/assets/" + id, readOnly, change).statusCode());
    assertEquals(403, bulk(new User(alice.id(), readOnly), update(id, change)).statusCode());
    assertEquals(before.replaceAll("api_keys[^\\n]*\\n", ""), state().replaceAll("api_keys[^\\n]*\\n", ""));

    String inScope = key(alice, List.of("read", "write"), lib);
    assertEquals(200, server.call(HttpMethod.PATCH, "/api/assets/" + id, inScope, change).statusCode());
  }

  // ================================================================ bulk_update_assets

  @Test
  void aBulkUpdateAppliesDifferentChangesToEachAssetInOneGo() {
    String a = upload("2024-05-01T10:00:00Z");
    String b = upload("2024-05-02T10:00:00Z");
    String c = upload("2024-05-03T10:00:00Z");
    HttpResponse<Buffer> res = bulk(alice,
      update(a, new JsonObject().put("description", "first")),
      update(b, new JsonObject().put("latitude", 1.5).put("longitude", 2.5)),
      update(c, new JsonObject().put("original_datetime", "2030-01-01T00:00:00+09:00")),
      // The same asset twice: applied in order, the later one last.
      update(a, new JsonObject().put("description", "second")));
    assertEquals(200, res.statusCode(), res.bodyAsString());
    assertEquals(new JsonObject(), res.bodyAsJsonObject());

    assertEquals("second", metadata(a).getString("description"));
    // Lists that include metadata show the edits too.
    JsonArray listed = get("/api/assets?library_id=" + lib + "&include=metadata").getJsonArray("data");
    assertEquals("second", find(listed, a).getJsonObject("metadata").getString("description"));
    assertEquals(1.5, find(listed, b).getJsonObject("metadata").getDouble("latitude"));
    assertNull(get("/api/assets?library_id=" + lib).getJsonArray("data").getJsonObject(0).getValue("metadata"));
    assertEquals(1.5, metadata(b).getDouble("latitude"));
    assertEquals(2.5, metadata(b).getDouble("longitude"));
    assertNull(metadata(b).getValue("description"));
    assertEquals("2030-01-01T00:00:00.000000+09:00", get("/api/assets/" + c).getString("local_datetime"));
    assertEquals(2, editEvents(a).size());
    assertEquals(1, editEvents(b).size());
    assertEquals(1, editEvents(c).size());
  }

  @Test
  void oneBadItemRejectsTheWholeBatchNamingItAndNothingChanges() {
    String a = upload("2024-05-01T10:00:00Z");
    String b = upload("2024-05-02T10:00:00Z");
    String bobs = server.uploadRandom(server.newUser(), null).getString("id");
    String before = state();
    JsonObject fine = new JsonObject().put("description", "fine");

    HttpResponse<Buffer> halfPosition = bulk(alice, update(a, fine), update(b, fine),
      update(a, new JsonObject().put("latitude", 45.0)));
    assertValidation(halfPosition, List.of("body", "updates", 2, "change"), "value_error");

    HttpResponse<Buffer> outOfRange = bulk(alice, update(a, fine),
      update(b, new JsonObject().put("latitude", 45.0).put("longitude", 200.0)));
    assertEquals(422, outOfRange.statusCode(), outOfRange.bodyAsString());
    assertTrue(outOfRange.bodyAsString().contains("\"updates\",1"), outOfRange.bodyAsString());

    String unknown = Ids.ASSET.format(UUID.randomUUID());
    HttpResponse<Buffer> missing = bulk(alice, update(a, fine), update(unknown, fine), update(b, fine));
    assertEquals(404, missing.statusCode(), missing.bodyAsString());
    assertEquals("Not found: updates[1] (" + unknown + ")", missing.bodyAsJsonObject().getString("detail"));

    HttpResponse<Buffer> foreign = bulk(alice, update(a, fine), update(b, fine), update(bobs, fine));
    assertEquals(404, foreign.statusCode(), foreign.bodyAsString());
    assertEquals("Not found: updates[2] (" + bobs + ")", foreign.bodyAsJsonObject().getString("detail"));

    HttpResponse<Buffer> malformed = bulk(alice, update(a, fine), update("asset_nonsense!", fine));
    assertEquals(404, malformed.statusCode(), malformed.bodyAsString());
    assertTrue(malformed.bodyAsJsonObject().getString("detail").contains("updates[1]"));

    HttpResponse<Buffer> noChange = server.post("/api/assets/bulk-update", alice.key(),
      new JsonObject().put("updates", new JsonArray().add(new JsonObject().put("id", a))));
    assertValidation(noChange, List.of("body", "updates", 0, "change"), "missing");

    assertEquals(before, state());
  }

  @Test
  void aBulkUpdateTakesOneToTwoHundredItems() {
    String a = upload("2024-05-01T10:00:00Z");
    String before = state();
    JsonObject[] tooMany = new JsonObject[201];
    for (int i = 0; i < tooMany.length; i++) {
      tooMany[i] = update(a, new JsonObject().put("description", "v" + i));
    }
    assertValidation(bulk(alice, tooMany), List.of("body", "updates"), "too_long");
    assertValidation(bulk(alice), List.of("body", "updates"), "too_short");
    assertValidation(server.post("/api/assets/bulk-update", alice.key(), new JsonObject()), List.of("body", "updates"),
      "missing");
    assertEquals(before, state());

    JsonObject[] most = java.util.Arrays.copyOf(tooMany, 200);
    assertEquals(200, bulk(alice, most).statusCode());
    assertEquals("v199", metadata(a).getString("description"));
    assertEquals(200, editEvents(a).size());
  }

  @Test
  void concurrentBulkUpdatesOverTheSameAssetsInAnyOrderAllCommit() {
    List<String> assets = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      assets.add(upload("2024-05-01T10:00:00Z"));
    }
    // Each request names the assets in its own order; locks are taken in id order, so none deadlocks.
    List<io.vertx.core.Future<HttpResponse<Buffer>>> requests = new ArrayList<>();
    for (int r = 0; r < 8; r++) {
      List<String> order = new ArrayList<>(assets);
      java.util.Collections.shuffle(order, new java.util.Random(r));
      JsonArray updates = new JsonArray();
      for (String id : order) {
        updates.add(update(id, new JsonObject().put("description", "round " + r)));
      }
      requests.add(server.client.post("/api/assets/bulk-update").bearerTokenAuthentication(alice.key())
        .sendJsonObject(new JsonObject().put("updates", updates)));
    }
    for (io.vertx.core.Future<HttpResponse<Buffer>> f : requests) {
      HttpResponse<Buffer> res = f.await();
      assertEquals(200, res.statusCode(), res.bodyAsString());
    }
    // Whole requests took turns: every asset ends with the same round's description.
    String last = metadata(assets.get(0)).getString("description");
    for (String id : assets) {
      assertEquals(last, metadata(id).getString("description"), id);
      assertEquals(8, editEvents(id).size());
    }
  }

  @Test
  void theBusDoorEditsAndChecksWithTheKeysRights() {
    Buffer bytes = TestServer.randomBytes(800);
    String id = uploaded(server.upload(alice, lib, "bus.jpg", bytes)).getString("id");
    AssetService assets = busAs(alice.key());

    Asset edited = assets.updateAsset(null, id, new AssetChange(new JsonObject()
      .put("description", "over the bus").put("original_datetime", "2022-02-22T22:22:22+01:00"))).await();
    assertEquals("2022-02-22T22:22:22.000000+01:00", edited.localDatetime());
    assertEquals("over the bus", edited.parts().getJsonObject("metadata").getString("description"));
    // An explicit null survives the trip over the bus: it clears.
    assertNull(assets.updateAsset(null, id, new AssetChange(new JsonObject().put("description", null))).await()
      .parts().getJsonObject("metadata").getValue("description"));

    String before = state();
    AssetUpdate fine = new AssetUpdate(id, new AssetChange(new JsonObject().put("description", "x")));
    AssetUpdate half = new AssetUpdate(id, new AssetChange(new JsonObject().put("latitude", 1.0)));
    assertEquals(org.eucalypt.bus.DomainException.Kind.BAD_REQUEST,
      failureOf(assets.bulkUpdateAssets(null, List.of(fine, half))));
    assertEquals(before, state());
    assets.bulkUpdateAssets(null, List.of(fine)).await();
    assertEquals("x", metadata(id).getString("description"));

    AssetExistence found = assets.checkExistence(null, new ExistenceQuery(lib, List.of(digest("SHA-256", bytes)),
      null, null, null)).await();
    assertEquals(List.of(id), idsOf(found.assets()));
    assertEquals(org.eucalypt.bus.DomainException.Kind.BAD_REQUEST, failureOf(assets.checkExistence(null,
      new ExistenceQuery(lib, null, null, "device", null))));

    AssetService readOnly = busAs(key(alice, List.of("read"), null));
    assertEquals(1, idsOf(readOnly.checkExistence(null, new ExistenceQuery(lib, List.of(digest("SHA-256", bytes)),
      null, null, null)).await().assets()).size());
    assertEquals(org.eucalypt.bus.DomainException.Kind.FORBIDDEN,
      failureOf(readOnly.updateAsset(null, id, new AssetChange(new JsonObject().put("description", "no")))));
    assertEquals(org.eucalypt.bus.DomainException.Kind.NOT_FOUND,
      failureOf(busAs(server.newUser().key()).updateAsset(null, id, new AssetChange(new JsonObject().put("description", "no")))));
    assertEquals("x", metadata(id).getString("description"));
  }

  private static AssetService busAs(String key) {
    io.vertx.core.eventbus.DeliveryOptions options = new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(10_000)
      .addHeader(org.eucalypt.bus.BusDoor.AUTHORIZATION, "Bearer " + key);
    return new io.vertx.serviceproxy.ServiceProxyBuilder(server.vertx).setAddress(AssetService.ADDRESS)
      .setOptions(options).build(AssetService.class);
  }

  private static org.eucalypt.bus.DomainException.Kind failureOf(io.vertx.core.Future<?> call) {
    Throwable failure = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, call::await);
    org.eucalypt.bus.DomainException.Kind kind = org.eucalypt.bus.DomainException.kindOf(failure);
    org.junit.jupiter.api.Assertions.assertNotNull(kind, "a domain failure: " + failure);
    return kind;
  }

  // ================================================================ check_existence

  @Test
  void existenceBySha256Sha1OrDeviceIdsCountsTrashedAssetsAndStaysInTheLibrary() throws Exception {
    Buffer one = TestServer.randomBytes(900);
    Buffer two = TestServer.randomBytes(901);
    JsonObject first = uploaded(server.upload(alice, lib, "one.jpg", one));
    JsonObject second = uploaded(server.upload(alice, lib, "two.jpg", two));
    String otherLib = server.createLibrary(alice, "Other");
    Buffer three = TestServer.randomBytes(902);
    JsonObject elsewhere = uploaded(server.upload(alice, otherLib, "three.jpg", three));
    // Trashed assets still count: their bytes are held until purged.
    assertEquals(200, server.post("/api/assets/trash?library_id=" + lib, alice.key(), ids(second.getString("id"))).statusCode());

    JsonObject fd1 = fileData(first.getString("id"));
    JsonObject fd2 = fileData(second.getString("id"));
    String absent = digest("SHA-256", TestServer.randomBytes(10));

    JsonArray bySha256 = exist(lib, new JsonObject().put("checksums", new JsonArray()
      .add(digest("SHA-256", one)).add(digest("SHA-256", two)).add(absent).add(digest("SHA-256", three)))).getJsonArray("assets");
    assertEquals(sorted(first.getString("id"), second.getString("id")), idsOf(bySha256));
    JsonObject lite = find(bySha256, first.getString("id"));
    assertEquals(new JsonObject().put("id", first.getString("id")).put("checksum", fd1.getString("checksum"))
      .put("checksum_sha1", fd1.getString("checksum_sha1")).put("device_asset_id", fd1.getString("device_asset_id"))
      .put("device_id", "test-device"), lite);

    JsonArray bySha1 = exist(lib, new JsonObject().put("checksum_sha1s", new JsonArray()
      .add(digest("SHA-1", two)).add(digest("SHA-1", three)))).getJsonArray("assets");
    assertEquals(List.of(second.getString("id")), idsOf(bySha1));
    assertEquals(fd2.getString("checksum_sha1"), bySha1.getJsonObject(0).getString("checksum_sha1"));

    JsonArray byDevice = exist(lib, new JsonObject().put("deviceId", "test-device").put("deviceAssetIds", new JsonArray()
      .add(fd1.getString("device_asset_id")).add(fd2.getString("device_asset_id")).add("never-uploaded")))
      .getJsonArray("assets");
    assertEquals(sorted(first.getString("id"), second.getString("id")), idsOf(byDevice));
    assertEquals(0, exist(lib, new JsonObject().put("deviceId", "another-device").put("deviceAssetIds",
      new JsonArray().add(fd1.getString("device_asset_id")))).getJsonArray("assets").size());

    // The other library answers for its own asset only.
    JsonArray there = exist(otherLib, new JsonObject().put("checksums", new JsonArray()
      .add(digest("SHA-256", one)).add(digest("SHA-256", three)))).getJsonArray("assets");
    assertEquals(List.of(elsewhere.getString("id")), idsOf(there));
    // Empty lists and empty checksums (what immich-adapter sends for a checksum it cannot read) match nothing.
    assertEquals(0, exist(lib, new JsonObject().put("checksums", new JsonArray().add(""))).getJsonArray("assets").size());
    assertEquals(0, exist(lib, new JsonObject().put("checksum_sha1s", new JsonArray())).getJsonArray("assets").size());
  }

  @Test
  void existenceScopeFollowsLibraryIdAndTheKey() {
    Buffer bytes = TestServer.randomBytes(700);
    String id = uploaded(server.upload(alice, lib, "a.jpg", bytes)).getString("id");
    JsonObject body = new JsonObject().put("checksums", new JsonArray().add(digest("SHA-256", bytes)));

    // One live library: library_id may be left out.
    assertEquals(List.of(id), idsOf(existAs(alice.key(), null, body).bodyAsJsonObject().getJsonArray("assets")));
    String otherLib = server.createLibrary(alice, "Second");
    HttpResponse<Buffer> ambiguous = existAs(alice.key(), null, body);
    assertEquals(400, ambiguous.statusCode(), ambiguous.bodyAsString());

    // A key scoped to the other library cannot name this one, and without library_id sees only its own.
    String scoped = key(alice, List.of("read"), otherLib);
    assertNotFound(existAs(scoped, lib, body));
    assertEquals(0, existAs(scoped, null, body).bodyAsJsonObject().getJsonArray("assets").size());

    User bob = server.newUser();
    server.createLibrary(bob, "Bob's");
    assertNotFound(existAs(bob.key(), lib, body));
    assertEquals(0, existAs(bob.key(), null, body).bodyAsJsonObject().getJsonArray("assets").size());
    assertNotFound(existAs(alice.key(), "lib_doesnotexist", body));

    assertEquals(200, server.post("/api/libraries/" + lib + "/trash", alice.key(), null).statusCode());
    assertNotFound(existAs(alice.key(), lib, body));
  }

  @Test
  void existenceTakesExactlyOneKindOfKeyAndAtMostFiveThousand() {
    upload("2024-05-01T10:00:00Z");
    JsonArray sums = new JsonArray().add(digest("SHA-256", TestServer.randomBytes(5)));
    JsonArray ids = new JsonArray().add("x");
    assertValidation(existAs(alice.key(), lib, new JsonObject()), List.of("body"), "value_error");
    assertValidation(existAs(alice.key(), lib, new JsonObject().put("checksums", null)), List.of("body"), "value_error");
    assertValidation(existAs(alice.key(), lib, new JsonObject().put("checksums", sums).put("checksum_sha1s", sums)),
      List.of("body"), "value_error");
    assertValidation(existAs(alice.key(), lib, new JsonObject().put("checksums", sums).put("deviceId", "d")
      .put("deviceAssetIds", ids)), List.of("body"), "value_error");
    assertValidation(existAs(alice.key(), lib, new JsonObject().put("deviceAssetIds", ids)), List.of("body"), "value_error");
    assertValidation(existAs(alice.key(), lib, new JsonObject().put("deviceId", "d")), List.of("body"), "value_error");
    JsonObject notBase64 = assertValidation(existAs(alice.key(), lib,
      new JsonObject().put("checksums", new JsonArray().add("not base64!"))), List.of("body"), "value_error");
    assertTrue(notBase64.getString("msg").contains("checksums[0]"), notBase64.encode());

    JsonArray many = new JsonArray();
    for (int i = 0; i < 5001; i++) {
      many.add(Base64.getEncoder().encodeToString(new byte[] {(byte) i, (byte) (i >> 8)}));
    }
    assertValidation(existAs(alice.key(), lib, new JsonObject().put("checksum_sha1s", many)),
      List.of("body", "checksum_sha1s"), "too_long");
    many.remove(5000);
    HttpResponse<Buffer> most = existAs(alice.key(), lib, new JsonObject().put("checksum_sha1s", many));
    assertEquals(200, most.statusCode(), most.bodyAsString());
    assertEquals(0, most.bodyAsJsonObject().getJsonArray("assets").size());
  }

  @Test
  void theNewPathsAreNeverReadAsAssetIds() {
    HttpResponse<Buffer> res = server.get("/api/assets/bulk-update", alice.key());
    assertEquals(405, res.statusCode(), res.bodyAsString());
    assertEquals("POST", res.getHeader("Allow"));
    res = server.call(HttpMethod.PATCH, "/api/assets/exist", alice.key(), new JsonObject());
    assertEquals(405, res.statusCode(), res.bodyAsString());
    assertEquals(401, server.post("/api/assets/exist", null, new JsonObject()).statusCode());
    assertEquals(401, server.call(HttpMethod.PATCH, "/api/assets/" + Ids.ASSET.format(UUID.randomUUID()), null,
      new JsonObject()).statusCode());
  }

  // ================================================================ helpers

  private String upload(String fileCreatedAt) {
    return uploaded(server.upload(alice, lib, "p-" + UUID.randomUUID() + ".jpg", TestServer.randomBytes(600),
      fileCreatedAt)).getString("id");
  }

  private static JsonObject uploaded(HttpResponse<Buffer> res) {
    assertEquals(201, res.statusCode(), res.bodyAsString());
    return res.bodyAsJsonObject();
  }

  private HttpResponse<Buffer> call(HttpMethod method, String path, JsonObject body) {
    return server.call(method, path, alice.key(), body);
  }

  private JsonObject patch(String id, JsonObject change) {
    HttpResponse<Buffer> res = call(HttpMethod.PATCH, "/api/assets/" + id, change);
    assertEquals(200, res.statusCode(), res.bodyAsString());
    JsonObject asset = res.bodyAsJsonObject();
    assertEquals(id, asset.getString("id"));
    return asset;
  }

  private JsonObject get(String path) {
    HttpResponse<Buffer> res = server.get(path, alice.key());
    assertEquals(200, res.statusCode(), res.bodyAsString());
    return res.bodyAsJsonObject();
  }

  private JsonObject metadata(String id) {
    return get("/api/assets/" + id + "?include=metadata").getJsonObject("metadata");
  }

  private JsonObject fileData(String id) {
    return get("/api/assets/" + id + "?include=file_data").getJsonObject("file_data");
  }

  private List<String> listIds(String query) {
    List<String> out = new ArrayList<>();
    get("/api/assets?library_id=" + lib + query).getJsonArray("data").forEach(a -> out.add(((JsonObject) a).getString("id")));
    return out;
  }

  private static JsonObject update(String id, JsonObject change) {
    return new JsonObject().put("id", id).put("change", change);
  }

  private static HttpResponse<Buffer> bulk(User user, JsonObject... updates) {
    return server.post("/api/assets/bulk-update", user.key(),
      new JsonObject().put("updates", new JsonArray(List.of((Object[]) updates))));
  }

  private static JsonObject ids(String... ids) {
    return new JsonObject().put("ids", new JsonArray(List.of((Object[]) ids)));
  }

  private JsonObject exist(String library, JsonObject body) {
    HttpResponse<Buffer> res = existAs(alice.key(), library, body);
    assertEquals(200, res.statusCode(), res.bodyAsString());
    return res.bodyAsJsonObject();
  }

  private static HttpResponse<Buffer> existAs(String key, String library, JsonObject body) {
    return server.post("/api/assets/exist" + (library == null ? "" : "?library_id=" + library), key, body);
  }

  private static List<String> idsOf(JsonArray assets) {
    List<String> out = new ArrayList<>();
    assets.forEach(a -> out.add(((JsonObject) a).getString("id")));
    return out;
  }

  private static List<String> sorted(String... ids) {
    // The answer is in id order, which is the UUID's; compare as sets by sorting both the same way.
    return List.of(ids).stream().sorted(java.util.Comparator.comparing(i -> Ids.ASSET.parse(i).orElseThrow())).toList();
  }

  private static JsonObject find(JsonArray assets, String id) {
    for (Object o : assets) {
      if (id.equals(((JsonObject) o).getString("id"))) {
        return (JsonObject) o;
      }
    }
    throw new AssertionError(id + " not in " + assets.encode());
  }

  private static String digest(String algorithm, Buffer bytes) {
    try {
      return Base64.getEncoder().encodeToString(MessageDigest.getInstance(algorithm).digest(bytes.getBytes()));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A key of {@code owner}'s with these actions, on all libraries (null) or on one. */
  private static String key(User owner, List<String> actions, String library) {
    JsonObject body = new JsonObject().put("name", "k").put("actions", new JsonArray(new ArrayList<>(actions)));
    if (library != null) {
      body.put("library_scope_mode", "selected_libraries").put("library_ids", new JsonArray().add(library));
    }
    HttpResponse<Buffer> res = server.post("/api/api-keys/", owner.key(), body);
    assertEquals(201, res.statusCode(), res.bodyAsString());
    return res.bodyAsJsonObject().getString("key");
  }

  private static void assertNotFound(HttpResponse<Buffer> res) {
    assertEquals(404, res.statusCode(), res.bodyAsString());
    assertEquals(new JsonObject().put("detail", "Not found"), res.bodyAsJsonObject());
  }

  /** A 422 in FastAPI's shape whose first error is at {@code loc} (a prefix of it) with {@code type}. */
  private static JsonObject assertValidation(HttpResponse<Buffer> res, List<Object> loc, String type) {
    assertEquals(422, res.statusCode(), res.bodyAsString());
    JsonArray detail = res.bodyAsJsonObject().getJsonArray("detail");
    assertFalse(detail.isEmpty(), res.bodyAsString());
    JsonObject first = detail.getJsonObject(0);
    List<Object> actual = first.getJsonArray("loc").getList();
    assertTrue(actual.size() >= loc.size() && actual.subList(0, loc.size()).equals(loc),
      () -> "loc " + actual + " should start with " + loc + ": " + res.bodyAsString());
    assertEquals(type, first.getString("type"), res.bodyAsString());
    return first;
  }

  /** Every asset row and event, as text: equal before and after means nothing changed. */
  private static String state() {
    StringBuilder out = new StringBuilder();
    for (String table : List.of("assets", "events", "api_keys")) {
      for (Row r : server.sql("SELECT to_jsonb(t)::text FROM " + table + " t ORDER BY 1")) {
        out.append(table).append(' ').append(r.getString(0).replaceAll("\"last_used_at\": \"[^\"]*\"", "")).append('\n');
      }
    }
    return out.toString();
  }

  private static long eventCount() {
    return server.count("SELECT count(*) FROM events");
  }

  /** The payloads of the asset's edit events, oldest first. */
  private static List<JsonObject> editEvents(String id) {
    List<JsonObject> out = new ArrayList<>();
    server.sql("SELECT payload FROM events WHERE entity_type = 'asset' AND entity_id = $1 AND event_type = 'asset_updated' "
      + "AND payload->>'change' = 'edited' ORDER BY id", id).forEach(r -> out.add((JsonObject) r.getValue(0)));
    return out;
  }

  /** A JPEG whose EXIF says where, when and what, as a camera would write it (exiftool). */
  private static byte[] exifPhoto() throws Exception {
    Path file = Files.createTempFile("eucalypt-edit-", ".jpg");
    try {
      Files.write(file, PhotoMetadataTest.jpeg(64, 48));
      Process p = new ProcessBuilder("exiftool", "-q", "-overwrite_original", "-Make=Canon",
        "-GPSLatitude=48.8584", "-GPSLatitudeRef=N", "-GPSLongitude=2.2945", "-GPSLongitudeRef=E",
        "-ImageDescription=Tour Eiffel", "-DateTimeOriginal=2021:07:14 18:30:05", "-OffsetTimeOriginal=+02:00",
        file.toString()).redirectErrorStream(true).start();
      String said = new String(p.getInputStream().readAllBytes());
      assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "exiftool: " + said);
      return Files.readAllBytes(file);
    } finally {
      Files.deleteIfExists(file);
    }
  }
}
