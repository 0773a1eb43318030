package org.eucalypt.asset;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.multipart.MultipartForm;
import io.vertx.sqlclient.Row;
import org.eucalypt.id.Ids;
import org.eucalypt.support.ServerExtension;
import org.eucalypt.support.TestServer;
import org.eucalypt.support.TestServer.User;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The asset operations that exist today (upload, retrieve, list, download), over HTTP, against
 * real PostgreSQL and a real storage directory, checked the way an SDK user relies on them.
 */
@ExtendWith(ServerExtension.class)
class AssetApiTest {
  private static final String ASSET_ID = "asset_[2-9A-HJ-NP-Za-km-z]{22}";
  private static TestServer server;
  private User alice;
  private User bob;

  @BeforeAll
  static void start(TestServer started) {
    server = started;
  }

  @BeforeEach
  void users() {
    alice = server.newUser();
    bob = server.newUser();
  }

  // ---------------------------------------------------------------- upload

  @Test
  void uploadAnswers201WithEveryFieldAndCountsTheBytes() {
    String lib = server.createLibrary(alice, "Photos");
    int filesBefore = server.storedFiles().size();
    Buffer photo = TestServer.randomBytes(3000);

    HttpResponse<Buffer> res = server.upload(alice, lib, "IMG_0001.JPG", photo);
    assertEquals(201, res.statusCode(), res.bodyAsString());
    assertEquals("application/json", res.getHeader("content-type"));
    JsonObject asset = res.bodyAsJsonObject();
    String id = asset.getString("id");
    assertTrue(id.matches(ASSET_ID), id);
    assertEquals(lib, asset.getString("library_id"));
    assertEquals("image/jpeg", asset.getString("mime_type"));
    assertEquals("IMG_0001.JPG", asset.getString("original_file_name"));
    // TestServer.upload reports the file as created at 2024-05-01T10:00:00Z.
    assertEquals("2024-05-01T10:00:00.000000Z", asset.getString("local_datetime"));
    assertEquals("original", asset.getString("kind"));
    assertFalse(asset.getString("current_version_id").isBlank());
    for (String nullable : List.of("width", "height", "duration", "trashed_at")) {
      assertTrue(asset.containsKey(nullable), nullable + " missing from " + asset.encode());
    }
    assertNull(asset.getValue("trashed_at"));
    assertTrue(asset.getString("created_at").endsWith("Z"));
    assertTrue(asset.getString("updated_at").endsWith("Z"));
    OffsetDateTime.parse(asset.getString("created_at"));
    OffsetDateTime.parse(asset.getString("updated_at"));
    assertNull(asset.getValue("file_data"), "file_data only with include=file_data");
    // Without include=variants, only the lean rung a grid needs; it answers 404 until rendered.
    JsonObject lean = asset.getJsonObject("asset_urls");
    assertEquals(Set.of("thumbnail"), lean.fieldNames(), lean.encode());
    assertTrue(lean.getJsonObject("thumbnail").getString("url").startsWith(
      "http://localhost:" + server.app.port() + "/api/assets/" + id + "/variants/thumbnail?"), lean.encode());
    JsonObject original = server.assetUrls(alice, id).getJsonObject("original");
    assertTrue(original.getString("url").startsWith(
      "http://localhost:" + server.app.port() + "/api/assets/" + id + "/original?"), original.getString("url"));
    assertEquals("image/jpeg", original.getString("mimetype"));

    assertEquals(filesBefore + 1, server.storedFiles().size());
    assertCounters(lib, 1, 3000);
    assertEquals(1, server.count("SELECT count(*) FROM events WHERE event_type = 'asset_created' AND entity_id = $1",
      id));

    Buffer video = TestServer.randomBytes(5000);
    HttpResponse<Buffer> mov = server.upload(alice, lib, "clip.mov", video);
    assertEquals(201, mov.statusCode(), mov.bodyAsString());
    assertEquals("video/quicktime", mov.bodyAsJsonObject().getString("mime_type"));
    assertEquals("video/quicktime",
      server.assetUrls(alice, mov.bodyAsJsonObject().getString("id")).getJsonObject("original").getString("mimetype"));
    assertEquals(Set.of("thumbnail_image"), mov.bodyAsJsonObject().getJsonObject("asset_urls").fieldNames());
    assertNotEquals(id, mov.bodyAsJsonObject().getString("id"));
    assertCounters(lib, 2, 8000);
    assertEquals(filesBefore + 2, server.storedFiles().size());
    server.assertInvariants();
  }

  @Test
  void aLargeUploadIsStoredAndHashedByteForByte() throws Exception {
    // Bigger than one file write (1 MiB) and than what may wait for hashing (8 MiB), and not a
    // multiple of either, so the writes, the hashing and the back-pressure all take their turns.
    String lib = server.createLibrary(alice, "Photos");
    Buffer bytes = TestServer.randomBytes(20 * 1024 * 1024 + 12345);

    HttpResponse<Buffer> up = server.upload(alice, lib, "big.mp4", bytes);
    assertEquals(201, up.statusCode(), up.bodyAsString());
    String id = up.bodyAsJsonObject().getString("id");
    JsonObject fileData = server.get("/api/assets/" + id + "?include=file_data", alice.key())
      .bodyAsJsonObject().getJsonObject("file_data");
    assertEquals(digest("SHA-256", bytes), fileData.getString("checksum"));
    assertEquals(digest("SHA-1", bytes), fileData.getString("checksum_sha1"));
    assertEquals((long) bytes.length(), fileData.getLong("file_size_bytes"));
    String url = server.assetUrls(alice, id).getJsonObject("original").getString("url");
    HttpResponse<Buffer> download = server.client.getAbs(url).send().await();
    assertEquals(200, download.statusCode());
    assertEquals(bytes, download.body());
    assertCounters(lib, 1, bytes.length());
    server.assertInvariants();
  }

  @Test
  void theSameBytesAgainAnswer200WithTheSameAssetAndStoreNothing() {
    String lib = server.createLibrary(alice, "Photos");
    Buffer bytes = TestServer.randomBytes(2500);
    HttpResponse<Buffer> first = server.upload(alice, lib, "a.jpg", bytes);
    assertEquals(201, first.statusCode(), first.bodyAsString());
    String id = first.bodyAsJsonObject().getString("id");
    Set<Path> files = server.filesUnderStorage();

    // Another name, the same bytes: the existing asset, as it was.
    HttpResponse<Buffer> again = server.upload(alice, lib, "copy-of-a.png", bytes);
    assertEquals(200, again.statusCode(), again.bodyAsString());
    JsonObject same = again.bodyAsJsonObject();
    assertEquals(id, same.getString("id"));
    assertEquals("a.jpg", same.getString("original_file_name"));
    assertEquals("image/jpeg", same.getString("mime_type"));
    assertNotNull(same.getJsonObject("asset_urls").getJsonObject("thumbnail").getString("url"));
    assertEquals(files, server.filesUnderStorage(), "a duplicate must leave no file behind, staged or stored");
    assertCounters(lib, 1, 2500);
    assertEquals(1, server.count("SELECT count(*) FROM events WHERE event_type = 'asset_created' AND entity_id = $1",
      id));

    // Dedup is per library: another library of the same user, or another user, gets its own asset.
    String other = server.createLibrary(alice, "Other");
    HttpResponse<Buffer> elsewhere = server.upload(alice, other, "a.jpg", bytes);
    assertEquals(201, elsewhere.statusCode(), elsewhere.bodyAsString());
    assertNotEquals(id, elsewhere.bodyAsJsonObject().getString("id"));
    assertEquals(other, elsewhere.bodyAsJsonObject().getString("library_id"));
    String bobs = server.createLibrary(bob, "Bob's");
    HttpResponse<Buffer> bobsCopy = server.upload(bob, bobs, "a.jpg", bytes);
    assertEquals(201, bobsCopy.statusCode(), bobsCopy.bodyAsString());
    assertEquals(files.size() + 2, server.filesUnderStorage().size());
    assertCounters(lib, 1, 2500);
    assertCounters(other, 1, 2500);
    assertCounters(bob, bobs, 1, 2500);
    server.assertInvariants();
  }

  @Test
  void badUploadsAnswer422AndChangeNothing() {
    String lib = server.createLibrary(alice, "Photos");
    server.uploadRandom(alice, lib);
    Snapshot before = snapshot(lib);

    HttpResponse<Buffer> text = send(alice, lib, form(Map.of())
      .binaryFileUpload("asset_data", "notes.txt", Buffer.buffer("just some notes"), "text/plain"));
    assertValidation(text, List.of("body", "asset_data"), null);
    before.assertUnchanged();

    HttpResponse<Buffer> pdf = send(alice, lib, form(Map.of())
      .binaryFileUpload("asset_data", "scan.pdf", TestServer.randomBytes(100), "application/pdf"));
    assertValidation(pdf, List.of("body", "asset_data"), null);
    before.assertUnchanged();

    assertValidation(send(alice, lib, form(Map.of())), List.of("body", "asset_data"), "missing");
    before.assertUnchanged();

    assertValidation(send(alice, lib, form(Map.of("device_id", "")).binaryFileUpload("asset_data", "x.jpg",
      TestServer.randomBytes(100), "image/jpeg")), List.of("body", "device_id"), "missing");
    before.assertUnchanged();

    assertValidation(send(alice, lib, form(Map.of("file_created_at", "")).binaryFileUpload("asset_data", "x.jpg",
      TestServer.randomBytes(100), "image/jpeg")), List.of("body", "file_created_at"), "missing");
    before.assertUnchanged();

    assertValidation(send(alice, lib, form(Map.of("file_created_at", "last tuesday")).binaryFileUpload("asset_data",
      "x.jpg", TestServer.randomBytes(100), "image/jpeg")), List.of("body", "file_created_at"), null);
    before.assertUnchanged();

    HttpResponse<Buffer> json = server.client.post("/api/assets").bearerTokenAuthentication(alice.key())
      .addQueryParam("library_id", lib)
      .sendJsonObject(new JsonObject().put("asset_data", "aGVsbG8=").put("device_id", "d")).await();
    assertEquals(422, json.statusCode(), json.bodyAsString());
    assertFalse(json.bodyAsJsonObject().getJsonArray("detail").isEmpty());
    before.assertUnchanged();

    HttpResponse<Buffer> noType = server.client.post("/api/assets").bearerTokenAuthentication(alice.key())
      .sendBuffer(TestServer.randomBytes(100)).await();
    assertEquals(422, noType.statusCode(), noType.bodyAsString());
    before.assertUnchanged();

    // Without a key, nothing is read or stored.
    HttpResponse<Buffer> anonymous = server.client.post("/api/assets").addQueryParam("library_id", lib)
      .sendMultipartForm(form(Map.of()).binaryFileUpload("asset_data", "x.jpg", TestServer.randomBytes(100),
        "image/jpeg")).await();
    assertEquals(401, anonymous.statusCode(), anonymous.bodyAsString());
    assertEquals(new JsonObject().put("detail", "Not authenticated"), anonymous.bodyAsJsonObject());
    before.assertUnchanged();
    server.assertInvariants();
  }

  @Test
  void aPathInTheFileNameIsDroppedAndTheFileStaysInsideStorage() {
    String lib = server.createLibrary(alice, "Photos");
    Set<Path> before = server.filesUnderStorage();
    HttpResponse<Buffer> res = server.upload(alice, lib, "../../etc/passwd.jpg", TestServer.randomBytes(700));
    assertEquals(201, res.statusCode(), res.bodyAsString());
    assertEquals("passwd.jpg", res.bodyAsJsonObject().getString("original_file_name"));
    HttpResponse<Buffer> windows = server.upload(alice, lib, "..\\..\\evil.png", TestServer.randomBytes(700));
    assertEquals(201, windows.statusCode(), windows.bodyAsString());
    assertEquals("evil.png", windows.bodyAsJsonObject().getString("original_file_name"));

    Set<Path> added = new HashSet<>(server.filesUnderStorage());
    added.removeAll(before);
    assertEquals(2, added.size(), added.toString());
    Path root = server.storage.toAbsolutePath().normalize();
    for (Path p : added) {
      assertTrue(p.startsWith(root.resolve("blobs")), p + " is not under " + root);
      assertFalse(p.getFileName().toString().contains("passwd") || p.getFileName().toString().contains("evil"), p.toString());
    }
    assertFalse(Files.exists(root.resolve("../../etc/passwd.jpg").normalize()));
    assertFalse(Files.exists(root.resolve("../etc/passwd.jpg").normalize()));
    assertFalse(Files.exists(root.resolve("../../evil.png").normalize()));
    server.assertInvariants();
  }

  @Test
  void anUploadOverTheLimitAnswers413AndLeavesNothing() {
    // A Vert.x of its own: the database pool is shared by name within one Vert.x, so a second
    // server on the class's Vert.x would talk to the first server's database.
    Vertx own = Vertx.vertx();
    TestServer small = TestServer.start(own, s -> s.with("max_upload_bytes", 10_000L)
      .with("public_url", "https://photos.example.org"));
    try {
      User carol = small.newUser();
      String lib = small.createLibrary(carol, "Small");
      HttpResponse<Buffer> big = small.upload(carol, lib, "big.jpg", TestServer.randomBytes(10_001));
      assertEquals(413, big.statusCode(), big.bodyAsString());
      assertTrue(big.bodyAsJsonObject().getValue("detail") instanceof String, big.bodyAsString());
      assertEquals(Set.of(), small.filesUnderStorage());
      assertEquals(0, small.count("SELECT count(*) FROM assets"));

      HttpResponse<Buffer> fits = small.upload(carol, lib, "fits.jpg", TestServer.randomBytes(10_000));
      assertEquals(201, fits.statusCode(), fits.bodyAsString());
      String id = fits.bodyAsJsonObject().getString("id");
      // Behind a proxy, urls use the configured public address, not the Host the request came to.
      assertTrue(small.assetUrls(carol, id).getJsonObject("original").getString("url")
        .startsWith("https://photos.example.org/api/assets/" + id + "/original?"));
      JsonObject counted = small.get("/api/libraries/" + lib, carol.key()).bodyAsJsonObject();
      assertEquals(1L, counted.getLong("asset_count"));
      assertEquals(10_000L, counted.getLong("storage_used_bytes"));
      small.assertInvariants();
    } finally {
      small.stop();
      own.close().await();
    }
  }

  @Test
  void uploadAndListAnswerWithATrailingSlashToo() {
    String lib = server.createLibrary(alice, "Photos");
    HttpResponse<Buffer> res = server.client.post("/api/assets/").bearerTokenAuthentication(alice.key())
      .addQueryParam("library_id", lib)
      .sendMultipartForm(form(Map.of()).binaryFileUpload("asset_data", "a.jpg", TestServer.randomBytes(300), "image/jpeg"))
      .await();
    assertEquals(201, res.statusCode(), res.bodyAsString());
    assertEquals(List.of(res.bodyAsJsonObject().getString("id")),
      ids(server.get("/api/assets/?library_id=" + lib, alice.key())));
    server.assertInvariants();
  }

  // ---------------------------------------------------------------- library_id

  @Test
  void libraryIdMayBeLeftOutOnlyWithExactlyOneLiveLibrary() {
    // No library at all: as Gumnut documents, a fresh default library takes it.
    HttpResponse<Buffer> res = server.upload(alice, null, "a.jpg", TestServer.randomBytes(100));
    assertEquals(201, res.statusCode(), res.bodyAsString());
    String id = res.bodyAsJsonObject().getString("id");
    String only = res.bodyAsJsonObject().getString("library_id");
    assertNotNull(only);
    assertEquals(List.of(id), ids(server.get("/api/assets", alice.key())));

    // A trashed library does not count: the one live library is still the only choice.
    String old = server.createLibrary(alice, "Old");
    trash(alice, old);
    HttpResponse<Buffer> stillOne = server.upload(alice, null, "b.jpg", TestServer.randomBytes(100));
    assertEquals(201, stillOne.statusCode(), stillOne.bodyAsString());
    assertEquals(only, stillOne.bodyAsJsonObject().getString("library_id"));

    String second = server.createLibrary(alice, "Second");
    Snapshot before = snapshot(only);
    HttpResponse<Buffer> ambiguous = server.upload(alice, null, "c.jpg", TestServer.randomBytes(100));
    assertEquals(400, ambiguous.statusCode(), ambiguous.bodyAsString());
    assertTrue(ambiguous.bodyAsJsonObject().getValue("detail") instanceof String, ambiguous.bodyAsString());
    HttpResponse<Buffer> list = server.get("/api/assets", alice.key());
    assertEquals(400, list.statusCode(), list.bodyAsString());
    assertTrue(list.bodyAsJsonObject().getValue("detail") instanceof String, list.bodyAsString());
    before.assertUnchanged();
    assertCounters(second, 0, 0);
    server.assertInvariants();
  }

  @Test
  void libraryIdOfAnotherUserMalformedOrTrashedAnswers404() {
    String mine = server.createLibrary(alice, "Mine");
    String bobs = server.createLibrary(bob, "Bob's");
    String trashed = server.createLibrary(alice, "Trashed");
    server.uploadRandom(alice, trashed);
    trash(alice, trashed);
    Snapshot before = snapshot(bobs);

    for (String lib : List.of(bobs, "lib_nope", "lib_2222222222222222222222", mine.replace("lib_", "asset_"), trashed)) {
      assertNotFound(server.upload(alice, lib, "a.jpg", TestServer.randomBytes(100)));
      assertNotFound(server.get("/api/assets?library_id=" + lib, alice.key()));
      before.assertUnchanged();
    }
    assertCounters(mine, 0, 0);
    assertCounters(trashed, 1, 2048);
    server.assertInvariants();
  }

  @Test
  void libraryIdMayBeAFormField() {
    String first = server.createLibrary(alice, "First");
    String second = server.createLibrary(alice, "Second");
    HttpResponse<Buffer> res = send(alice, null, form(Map.of("library_id", second))
      .binaryFileUpload("asset_data", "a.jpg", TestServer.randomBytes(1234), "image/jpeg"));
    assertEquals(201, res.statusCode(), res.bodyAsString());
    assertEquals(second, res.bodyAsJsonObject().getString("library_id"));
    assertCounters(second, 1, 1234);
    assertCounters(first, 0, 0);

    HttpResponse<Buffer> foreign = send(alice, null, form(Map.of("library_id", server.createLibrary(bob, "B")))
      .binaryFileUpload("asset_data", "a.jpg", TestServer.randomBytes(100), "image/jpeg"));
    assertNotFound(foreign);
    server.assertInvariants();
  }

  // ---------------------------------------------------------------- get

  @Test
  void getAnswersTheAssetAndItsFileDataOnRequest() throws Exception {
    String lib = server.createLibrary(alice, "Photos");
    Buffer bytes = TestServer.randomBytes(4321);
    MultipartForm form = MultipartForm.create()
      .attribute("device_asset_id", "IMG_42")
      .attribute("device_id", "phone-1")
      .attribute("file_created_at", "2023-12-24T18:30:00Z")
      .attribute("file_modified_at", "2023-12-25T08:00:00Z")
      .binaryFileUpload("asset_data", "xmas.heic", bytes, "image/heic");
    HttpResponse<Buffer> up = send(alice, lib, form);
    assertEquals(201, up.statusCode(), up.bodyAsString());
    JsonObject uploaded = up.bodyAsJsonObject();
    String id = uploaded.getString("id");

    HttpResponse<Buffer> res = server.get("/api/assets/" + id, alice.key());
    assertEquals(200, res.statusCode(), res.bodyAsString());
    JsonObject asset = res.bodyAsJsonObject();
    assertNull(asset.getValue("file_data"));
    for (String field : List.of("id", "library_id", "mime_type", "original_file_name", "local_datetime", "kind",
      "current_version_id", "created_at", "updated_at", "trashed_at", "width", "height", "duration")) {
      assertEquals(uploaded.getValue(field), asset.getValue(field), field);
    }
    assertEquals("image/heic", asset.getString("mime_type"));
    assertEquals("2023-12-24T18:30:00.000000Z", asset.getString("local_datetime"));
    assertTrue(server.assetUrls(alice, id).getJsonObject("original").getString("url")
      .startsWith("http://localhost:" + server.app.port() + "/api/assets/" + id + "/original?"));

    JsonObject withData = server.get("/api/assets/" + id + "?include=file_data", alice.key()).bodyAsJsonObject();
    JsonObject fileData = withData.getJsonObject("file_data");
    assertNotNull(fileData, withData.encode());
    assertEquals(digest("SHA-256", bytes), fileData.getString("checksum"));
    assertEquals(digest("SHA-1", bytes), fileData.getString("checksum_sha1"));
    assertEquals(4321L, fileData.getLong("file_size_bytes"));
    assertEquals("phone-1", fileData.getString("device_id"));
    assertEquals("IMG_42", fileData.getString("device_asset_id"));
    assertEquals("2023-12-24T18:30:00.000000Z", fileData.getString("file_created_at"));
    assertEquals("2023-12-25T08:00:00.000000Z", fileData.getString("file_modified_at"));

    // The list carries file_data on request too.
    JsonObject listed = server.get("/api/assets?library_id=" + lib + "&include=file_data", alice.key())
      .bodyAsJsonObject().getJsonArray("data").getJsonObject(0);
    assertEquals(digest("SHA-256", bytes), listed.getJsonObject("file_data").getString("checksum"));
    assertNull(server.get("/api/assets?library_id=" + lib, alice.key())
      .bodyAsJsonObject().getJsonArray("data").getJsonObject(0).getValue("file_data"));

    HttpResponse<Buffer> bogus = server.get("/api/assets/" + id + "?include=bogus", alice.key());
    assertEquals(422, bogus.statusCode(), bogus.bodyAsString());
    JsonArray loc = bogus.bodyAsJsonObject().getJsonArray("detail").getJsonObject(0).getJsonArray("loc");
    assertEquals("query", loc.getValue(0), bogus.bodyAsString());
    assertEquals("include", loc.getValue(1), bogus.bodyAsString());
    server.assertInvariants();
  }

  @Test
  void getAnswers404ForForeignMalformedAndTrashedLibraryAssets() {
    String lib = server.createLibrary(alice, "Photos");
    String id = server.uploadRandom(alice, lib).getString("id");

    assertNotFound(server.get("/api/assets/" + id, bob.key()));
    assertNotFound(server.get("/api/assets/asset_nope", alice.key()));
    assertNotFound(server.get("/api/assets/asset_2222222222222222222222", alice.key()));
    assertNotFound(server.get("/api/assets/" + lib, alice.key()));
    assertNotFound(server.get("/api/assets/" + id.replace("asset_", "lib_"), alice.key()));

    trash(alice, lib);
    assertNotFound(server.get("/api/assets/" + id, alice.key()));
    assertNotFound(server.get("/api/assets/" + id + "?include=file_data", alice.key()));
    HttpResponse<Buffer> restored = server.post("/api/libraries/" + lib + "/restore", alice.key(), null);
    assertEquals(200, restored.statusCode(), restored.bodyAsString());
    HttpResponse<Buffer> back = server.get("/api/assets/" + id, alice.key());
    assertEquals(200, back.statusCode(), back.bodyAsString());
    assertEquals(id, back.bodyAsJsonObject().getString("id"));
    server.assertInvariants();
  }

  // ---------------------------------------------------------------- list

  @Test
  void listOrdersByCaptureTimeAndPagesWithoutGapsOrRepeats() {
    String lib = server.createLibrary(alice, "Photos");
    server.uploadRandom(bob, server.createLibrary(bob, "Bob's"));
    // Uploaded out of capture order, so the order cannot come from upload order.
    Map<Integer, String> byDay = new LinkedHashMap<>();
    for (int day : new int[] {4, 1, 7, 2, 6, 3, 5}) {
      byDay.put(day, uploadAt(alice, lib, "2024-03-0" + day + "T12:00:00Z"));
    }
    List<String> asc = new ArrayList<>();
    for (int day = 1; day <= 7; day++) {
      asc.add(byDay.get(day));
    }
    List<String> desc = reversed(asc);

    JsonObject all = page(server.get("/api/assets?library_id=" + lib, alice.key()));
    assertEquals(desc, ids(all));
    assertFalse(all.getBoolean("has_more"));
    assertEquals(desc, ids(server.get("/api/assets?library_id=" + lib + "&order=desc", alice.key())));
    assertEquals(asc, ids(server.get("/api/assets?library_id=" + lib + "&order=asc", alice.key())));
    // Every item is a whole AssetResponse, urls included.
    JsonObject first = all.getJsonArray("data").getJsonObject(0);
    assertEquals("2024-03-07T12:00:00.000000Z", first.getString("local_datetime"));
    assertNotNull(first.getJsonObject("asset_urls").getJsonObject("thumbnail").getString("url"));

    assertEquals(desc, pageThrough(lib, "desc", 3, List.of(true, true, false)));
    assertEquals(asc, pageThrough(lib, "asc", 3, List.of(true, true, false)));
    assertEquals(desc, pageThrough(lib, "desc", 7, List.of(false)));
    assertEquals(desc, pageThrough(lib, "desc", 1, List.of(true, true, true, true, true, true, false)));
    server.assertInvariants();
  }

  @Test
  void listBreaksTiesInCaptureTimeByIdAcrossPages() {
    String lib = server.createLibrary(alice, "Burst");
    String before = uploadAt(alice, lib, "2024-06-01T09:59:59Z");
    List<String> burst = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      burst.add(uploadAt(alice, lib, "2024-06-01T10:00:00Z"));
    }
    String after = uploadAt(alice, lib, "2024-06-01T10:00:01Z");

    List<String> full = ids(server.get("/api/assets?library_id=" + lib + "&limit=200", alice.key()));
    assertEquals(7, full.size());
    assertEquals(after, full.get(0));
    assertEquals(before, full.get(6));
    assertEquals(new HashSet<>(burst), new HashSet<>(full.subList(1, 6)));
    // The ids' text order is the order of the UUIDs behind them, so "id breaks ties" is visible here.
    List<String> burstDesc = burst.stream().sorted(Comparator.reverseOrder()).toList();
    assertEquals(burstDesc, full.subList(1, 6));

    assertEquals(full, pageThrough(lib, "desc", 2, List.of(true, true, true, false)));
    assertEquals(reversed(full), pageThrough(lib, "asc", 2, List.of(true, true, true, false)));
    assertEquals(full, pageThrough(lib, "desc", 3, List.of(true, true, false)));
    server.assertInvariants();
  }

  @Test
  void listLimitsDefaultTo20AndAreBounded() {
    String lib = server.createLibrary(alice, "Many");
    for (int i = 0; i < 21; i++) {
      server.uploadRandom(alice, lib);
    }
    JsonObject def = page(server.get("/api/assets?library_id=" + lib, alice.key()));
    assertEquals(20, def.getJsonArray("data").size());
    assertTrue(def.getBoolean("has_more"));
    JsonObject exact = page(server.get("/api/assets?library_id=" + lib + "&limit=21", alice.key()));
    assertEquals(21, exact.getJsonArray("data").size());
    assertFalse(exact.getBoolean("has_more"));
    assertEquals(21, page(server.get("/api/assets?library_id=" + lib + "&limit=200", alice.key()))
      .getJsonArray("data").size());
    assertEquals(1, page(server.get("/api/assets?library_id=" + lib + "&limit=1", alice.key()))
      .getJsonArray("data").size());

    String base = "/api/assets?library_id=" + lib;
    assertValidation(server.get(base + "&limit=0", alice.key()), List.of("query", "limit"), "greater_than_equal");
    assertValidation(server.get(base + "&limit=201", alice.key()), List.of("query", "limit"), "less_than_equal");
    assertValidation(server.get(base + "&limit=abc", alice.key()), List.of("query", "limit"), "int_parsing");
    assertValidation(server.get(base + "&state=bogus", alice.key()), List.of("query", "state"), "enum");
    assertValidation(server.get(base + "&order=sideways", alice.key()), List.of("query", "order"), "enum");
    assertValidation(server.get(base + "&media_type=audio", alice.key()), List.of("query", "media_type"), "enum");
    server.assertInvariants();
  }

  @Test
  void listFiltersByIdsMediaTypeAndCaptureTime() {
    String lib = server.createLibrary(alice, "Mixed");
    String t1 = uploadAt(alice, lib, "2024-01-01T00:00:00Z");
    String t2 = uploadAt(alice, lib, "2024-01-02T00:00:00Z");
    String t3 = uploadAt(alice, lib, "2024-01-03T00:00:00Z");
    HttpResponse<Buffer> mov = server.upload(alice, lib, "clip.mov", TestServer.randomBytes(900), "2024-01-04T00:00:00Z");
    assertEquals(201, mov.statusCode(), mov.bodyAsString());
    String video = mov.bodyAsJsonObject().getString("id");
    HttpResponse<Buffer> mp4 = server.upload(alice, lib, "clip.mp4", TestServer.randomBytes(900), "2024-01-05T00:00:00Z");
    assertEquals(201, mp4.statusCode(), mp4.bodyAsString());
    String video2 = mp4.bodyAsJsonObject().getString("id");
    String bobs = server.uploadRandom(bob, server.createLibrary(bob, "Bob's")).getString("id");
    String base = "/api/assets?library_id=" + lib;

    assertEquals(List.of(t3, t1), ids(server.get(base + "&ids=" + t1 + "&ids=" + t3, alice.key())));
    assertEquals(List.of(t3, t1), ids(server.get(base + "&ids=" + t1 + "," + t3, alice.key())));
    assertEquals(List.of(t3, t1), ids(server.get(base + "&ids=" + t1 + "," + t3 + "&order=desc", alice.key())));
    // Someone else's id, or one that cannot exist, matches nothing.
    assertEquals(List.of(t2), ids(server.get(base + "&ids=" + t2 + "&ids=" + bobs + "&ids=asset_nope", alice.key())));
    assertEquals(List.of(), ids(server.get(base + "&ids=" + bobs, alice.key())));

    assertEquals(List.of(video2, video), ids(server.get(base + "&media_type=video", alice.key())));
    assertEquals(List.of(t3, t2, t1), ids(server.get(base + "&media_type=image", alice.key())));

    assertEquals(List.of(video2, video, t3, t2),
      ids(server.get(base + "&local_datetime_after=" + enc("2024-01-01T00:00:00Z"), alice.key())));
    assertEquals(List.of(t2, t1),
      ids(server.get(base + "&local_datetime_before=" + enc("2024-01-03T00:00:00Z"), alice.key())));
    assertEquals(List.of(t2), ids(server.get(base + "&local_datetime_after=" + enc("2024-01-01T00:00:00Z")
      + "&local_datetime_before=" + enc("2024-01-03T00:00:00Z"), alice.key())));
    // Another offset, the same instant; the SDKs send "+hh:mm" percent-encoded, as %2B.
    assertEquals(List.of(t2), ids(server.get(base + "&local_datetime_after=" + enc("2024-01-01T02:00:00+02:00")
      + "&local_datetime_before=" + enc("2024-01-02T19:00:00-05:00"), alice.key())));
    assertEquals(List.of(t1), ids(server.get(base + "&order=asc&limit=1&local_datetime_before="
      + enc("2024-01-04T00:00:00Z"), alice.key())));
    server.assertInvariants();
  }

  // ---------------------------------------------------------------- download

  @Test
  void theSignedUrlDownloadsTheExactBytesWithoutAKey() {
    String lib = server.createLibrary(alice, "Photos");
    Buffer bytes = TestServer.randomBytes(5000);
    HttpResponse<Buffer> up = server.upload(alice, lib, "photo.png", bytes);
    assertEquals(201, up.statusCode(), up.bodyAsString());
    JsonObject asset = up.bodyAsJsonObject();
    String url = server.assetUrls(alice, asset.getString("id")).getJsonObject("original").getString("url");

    HttpResponse<Buffer> res = server.client.getAbs(url).send().await();
    assertEquals(200, res.statusCode(), res.bodyAsString());
    assertArrayEquals(bytes.getBytes(), res.body().getBytes());
    assertEquals("image/png", res.getHeader("Content-Type"));
    assertEquals("5000", res.getHeader("Content-Length"));
    String etag = res.getHeader("ETag");
    assertNotNull(etag);

    HttpResponse<Buffer> head = range(url, "bytes=0-9");
    assertEquals(206, head.statusCode(), head.bodyAsString());
    assertEquals("bytes 0-9/5000", head.getHeader("Content-Range"));
    assertEquals("10", head.getHeader("Content-Length"));
    assertArrayEquals(bytes.getBytes(0, 10), head.body().getBytes());

    HttpResponse<Buffer> middle = range(url, "bytes=100-199");
    assertEquals(206, middle.statusCode());
    assertArrayEquals(bytes.getBytes(100, 200), middle.body().getBytes());

    HttpResponse<Buffer> tail = range(url, "bytes=-5");
    assertEquals(206, tail.statusCode(), tail.bodyAsString());
    assertEquals("bytes 4995-4999/5000", tail.getHeader("Content-Range"));
    assertArrayEquals(bytes.getBytes(4995, 5000), tail.body().getBytes());

    HttpResponse<Buffer> rest = range(url, "bytes=4990-");
    assertEquals(206, rest.statusCode());
    assertEquals("bytes 4990-4999/5000", rest.getHeader("Content-Range"));
    assertArrayEquals(bytes.getBytes(4990, 5000), rest.body().getBytes());

    HttpResponse<Buffer> beyond = range(url, "bytes=5000-");
    assertEquals(416, beyond.statusCode(), beyond.bodyAsString());
    assertEquals("bytes */5000", beyond.getHeader("Content-Range"));

    HttpResponse<Buffer> cached = server.client.getAbs(url).putHeader("If-None-Match", etag).send().await();
    assertEquals(304, cached.statusCode());
    server.assertInvariants();
  }

  @Test
  void withoutAValidSignatureTheOwnersKeyIsNeeded() {
    String lib = server.createLibrary(alice, "Photos");
    Buffer bytes = TestServer.randomBytes(1500);
    HttpResponse<Buffer> up = server.upload(alice, lib, "photo.jpg", bytes);
    assertEquals(201, up.statusCode(), up.bodyAsString());
    String id = up.bodyAsJsonObject().getString("id");
    String url = server.assetUrls(alice, up.bodyAsJsonObject().getString("id")).getJsonObject("original").getString("url");
    URI uri = URI.create(url);
    String path = uri.getRawPath();
    assertEquals("/api/assets/" + id + "/original", path);
    Map<String, String> query = query(uri.getRawQuery());
    String signature = query.get("signature");
    String expires = query.get("expires");
    assertNotNull(signature);
    assertNotNull(expires);

    String tampered = path + "?expires=" + expires + "&signature="
      + (signature.charAt(0) == 'A' ? 'B' : 'A') + signature.substring(1);
    assertUnauthenticated(server.get(tampered, null));
    assertUnauthenticated(server.get(path + "?expires=" + (Long.parseLong(expires) + 3600) + "&signature=" + signature,
      null));
    assertUnauthenticated(server.get(path, null));
    // A signature is for one asset: another asset's path does not accept it.
    String other = server.uploadRandom(alice, lib).getString("id");
    assertUnauthenticated(server.get("/api/assets/" + other + "/original?" + uri.getRawQuery(), null));

    HttpResponse<Buffer> owner = server.get(path, alice.key());
    assertEquals(200, owner.statusCode(), owner.bodyAsString());
    assertArrayEquals(bytes.getBytes(), owner.body().getBytes());
    assertEquals("image/jpeg", owner.getHeader("Content-Type"));
    // A bad signature with the owner's key still works: the key is enough.
    assertEquals(200, server.get(tampered, alice.key()).statusCode());

    assertNotFound(server.get(path, bob.key()));
    assertNotFound(server.get(tampered, bob.key()));
    assertNotFound(server.get("/api/assets/asset_2222222222222222222222/original", alice.key()));
    assertNotFound(server.get("/api/assets/asset_nope/original", alice.key()));
    server.assertInvariants();
  }

  @Test
  void downloadsStopWhileTheLibraryIsTrashedAndWhenTheUrlExpires() {
    String lib = server.createLibrary(alice, "Photos");
    Buffer bytes = TestServer.randomBytes(800);
    HttpResponse<Buffer> up = server.upload(alice, lib, "photo.jpg", bytes);
    assertEquals(201, up.statusCode(), up.bodyAsString());
    String id = up.bodyAsJsonObject().getString("id");
    String url = server.assetUrls(alice, up.bodyAsJsonObject().getString("id")).getJsonObject("original").getString("url");
    assertEquals(200, server.client.getAbs(url).send().await().statusCode());

    trash(alice, lib);
    assertNotFound(server.client.getAbs(url).send().await());
    assertNotFound(server.get("/api/assets/" + id + "/original", alice.key()));

    assertEquals(200, server.post("/api/libraries/" + lib + "/restore", alice.key(), null).statusCode());
    HttpResponse<Buffer> back = server.client.getAbs(url).send().await();
    assertEquals(200, back.statusCode());
    assertArrayEquals(bytes.getBytes(), back.body().getBytes());

    // Signed urls expire (within about a day); the key keeps working, and a fresh url is handed out.
    server.clock.advance(Duration.ofHours(26));
    assertUnauthenticated(server.client.getAbs(url).send().await());
    assertEquals(200, server.get("/api/assets/" + id + "/original", alice.key()).statusCode());
    String fresh = server.assetUrls(alice, id).getJsonObject("original").getString("url");
    assertNotEquals(url, fresh);
    assertEquals(200, server.client.getAbs(fresh).send().await().statusCode());
    server.assertInvariants();
  }



  @Test
  void downloadsAreNeverCompressedAndOddRangesDoNotFail() {
    String lib = server.createLibrary(alice, "Photos");
    // Compressible bytes, so a compressing server would show itself.
    Buffer bytes = Buffer.buffer("a".repeat(6000));
    HttpResponse<Buffer> up = server.upload(alice, lib, "flat.bmp", bytes);
    assertEquals(201, up.statusCode(), up.bodyAsString());
    String url = server.assetUrls(alice, up.bodyAsJsonObject().getString("id")).getJsonObject("original").getString("url");

    // Browsers and httpx (the Python SDK's client) always send Accept-Encoding: gzip.
    HttpResponse<Buffer> whole = server.client.getAbs(url).putHeader("Accept-Encoding", "gzip, deflate").send().await();
    assertEquals(200, whole.statusCode());
    assertNull(whole.getHeader("Content-Encoding"));
    assertEquals("6000", whole.getHeader("Content-Length"));
    assertEquals("image/bmp", whole.getHeader("Content-Type"));
    assertArrayEquals(bytes.getBytes(), whole.body().getBytes());
    HttpResponse<Buffer> part = server.client.getAbs(url).putHeader("Accept-Encoding", "gzip")
      .putHeader("Range", "bytes=10-19").send().await();
    assertEquals(206, part.statusCode());
    assertNull(part.getHeader("Content-Encoding"));
    assertEquals("bytes 10-19/6000", part.getHeader("Content-Range"));
    assertEquals("10", part.getHeader("Content-Length"));
    assertArrayEquals(bytes.getBytes(10, 20), part.body().getBytes());

    // Positions beyond what a long holds are past the end, not a server error.
    HttpResponse<Buffer> far = range(url, "bytes=99999999999999999999-");
    assertEquals(416, far.statusCode(), far.bodyAsString());
    assertEquals("bytes */6000", far.getHeader("Content-Range"));
    HttpResponse<Buffer> longEnd = range(url, "bytes=5990-99999999999999999999");
    assertEquals(206, longEnd.statusCode(), longEnd.bodyAsString());
    assertEquals("bytes 5990-5999/6000", longEnd.getHeader("Content-Range"));
    assertArrayEquals(bytes.getBytes(5990, 6000), longEnd.body().getBytes());
    HttpResponse<Buffer> longSuffix = range(url, "bytes=-99999999999999999999");
    assertEquals(206, longSuffix.statusCode(), longSuffix.bodyAsString());
    assertEquals("bytes 0-5999/6000", longSuffix.getHeader("Content-Range"));
    assertArrayEquals(bytes.getBytes(), longSuffix.body().getBytes());
    // A range past the end of the file is clamped to it.
    HttpResponse<Buffer> clamped = range(url, "bytes=0-99999");
    assertEquals(206, clamped.statusCode());
    assertEquals("bytes 0-5999/6000", clamped.getHeader("Content-Range"));
    server.assertInvariants();
  }

  @Test
  void concurrentUploadsOfTheSameBytesMakeOneAsset() {
    String lib = server.createLibrary(alice, "Photos");
    Buffer bytes = TestServer.randomBytes(64 * 1024);
    int before = server.storedFiles().size();
    List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      MultipartForm form = form(Map.of()).binaryFileUpload("asset_data", "same-" + i + ".jpg", bytes, "image/jpeg");
      sent.add(server.client.post("/api/assets").bearerTokenAuthentication(alice.key())
        .addQueryParam("library_id", lib).sendMultipartForm(form));
    }
    Future.all(sent).await();
    Set<String> ids = new HashSet<>();
    int created = 0;
    for (Future<HttpResponse<Buffer>> f : sent) {
      HttpResponse<Buffer> res = f.result();
      assertTrue(res.statusCode() == 201 || res.statusCode() == 200, res.bodyAsString());
      created += res.statusCode() == 201 ? 1 : 0;
      ids.add(res.bodyAsJsonObject().getString("id"));
    }
    assertEquals(1, created);
    assertEquals(1, ids.size());
    assertEquals(before + 1, server.storedFiles().size());
    assertCounters(lib, 1, 64 * 1024);
    server.assertInvariants();
  }

  @Test
  void listAcceptsUpTo200Ids() {
    String lib = server.createLibrary(alice, "Photos");
    String id = server.uploadRandom(alice, lib).getString("id");
    StringBuilder path = new StringBuilder("/api/assets?library_id=" + lib);
    for (int i = 0; i < 199; i++) {
      path.append("&ids=asset_").append("2".repeat(22));
    }
    assertEquals(List.of(id), ids(server.get(path + "&ids=" + id, alice.key())));
    assertValidation(server.get(path + "&ids=" + id + "&ids=" + id, alice.key()), List.of("query", "ids"), "too_long");
  }

  // ---------------------------------------------------------------- helpers

  /** What a rejected upload must leave as it was: rows, every file under storage, the counters. */
  private record Snapshot(String library, long rows, Set<Path> files, Row counters) {
    void assertUnchanged() {
      assertEquals(rows, server.count("SELECT count(*) FROM assets"), "asset rows changed");
      assertEquals(files, server.filesUnderStorage(), "files under storage changed");
      Row now = countersOf(library);
      assertEquals(counters.getLong("asset_count"), now.getLong("asset_count"));
      assertEquals(counters.getLong("storage_used_bytes"), now.getLong("storage_used_bytes"));
    }
  }

  private static Snapshot snapshot(String library) {
    return new Snapshot(library, server.count("SELECT count(*) FROM assets"), server.filesUnderStorage(),
      countersOf(library));
  }

  private static Row countersOf(String library) {
    return server.sql("SELECT asset_count, storage_used_bytes FROM libraries WHERE id = $1",
      Ids.LIBRARY.parse(library).orElseThrow()).iterator().next();
  }

  /** The library's counters, as the API reports them and as they are stored; the library is alice's. */
  private void assertCounters(String library, long assets, long bytes) {
    assertCounters(alice, library, assets, bytes);
  }

  private static void assertCounters(User owner, String library, long assets, long bytes) {
    JsonObject lib = server.get("/api/libraries/" + library, owner.key()).bodyAsJsonObject();
    assertEquals(assets, lib.getLong("asset_count"), lib.encode());
    assertEquals(bytes, lib.getLong("storage_used_bytes"), lib.encode());
    Row row = countersOf(library);
    assertEquals(assets, row.getLong("asset_count"));
    assertEquals(bytes, row.getLong("storage_used_bytes"));
    assertEquals(assets, server.count("SELECT count(*) FROM assets WHERE library_id = $1",
      Ids.LIBRARY.parse(library).orElseThrow()));
  }

  /** A multipart form with every text field the SDK sends; an empty value in {@code overrides} leaves a field out. */
  private static MultipartForm form(Map<String, String> overrides) {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("device_asset_id", "device-asset-" + UUID.randomUUID());
    fields.put("device_id", "test-device");
    fields.put("file_created_at", "2024-05-01T10:00:00Z");
    fields.put("file_modified_at", "2024-05-01T10:00:00Z");
    fields.putAll(overrides);
    MultipartForm form = MultipartForm.create();
    fields.forEach((k, v) -> {
      if (!v.isEmpty()) {
        form.attribute(k, v);
      }
    });
    return form;
  }

  private static HttpResponse<Buffer> send(User user, String libraryId, MultipartForm form) {
    HttpRequest<Buffer> req = server.client.post("/api/assets").bearerTokenAuthentication(user.key());
    if (libraryId != null) {
      req.addQueryParam("library_id", libraryId);
    }
    return req.sendMultipartForm(form).await();
  }

  private static String uploadAt(User user, String lib, String fileCreatedAt) {
    HttpResponse<Buffer> res = server.upload(user, lib, "p-" + UUID.randomUUID() + ".jpg",
      TestServer.randomBytes(512), fileCreatedAt);
    assertEquals(201, res.statusCode(), res.bodyAsString());
    assertEquals(OffsetDateTime.parse(fileCreatedAt).toInstant(),
      OffsetDateTime.parse(res.bodyAsJsonObject().getString("local_datetime")).toInstant());
    return res.bodyAsJsonObject().getString("id");
  }

  /** Follows the cursor from the first page to the last, checking each page's size and has_more. */
  private List<String> pageThrough(String lib, String order, int limit, List<Boolean> hasMore) {
    List<String> out = new ArrayList<>();
    String cursor = null;
    for (int i = 0; i < hasMore.size(); i++) {
      String path = "/api/assets?library_id=" + lib + "&order=" + order + "&limit=" + limit
        + (cursor == null ? "" : "&starting_after_id=" + cursor);
      JsonObject page = page(server.get(path, alice.key()));
      List<String> ids = ids(page);
      assertEquals(hasMore.get(i), page.getBoolean("has_more"), "page " + i + ": " + page.encode());
      if (hasMore.get(i)) {
        assertEquals(limit, ids.size(), "page " + i);
      }
      assertFalse(ids.isEmpty(), "page " + i);
      for (String id : ids) {
        assertFalse(out.contains(id), "repeated " + id + " on page " + i);
      }
      out.addAll(ids);
      cursor = ids.get(ids.size() - 1);
    }
    return out;
  }

  private static JsonObject page(HttpResponse<Buffer> res) {
    assertEquals(200, res.statusCode(), res.bodyAsString());
    JsonObject page = res.bodyAsJsonObject();
    assertEquals(Set.of("data", "has_more"), page.fieldNames(), page.encode());
    return page;
  }

  private static List<String> ids(HttpResponse<Buffer> res) {
    return ids(page(res));
  }

  private static List<String> ids(JsonObject page) {
    return page.getJsonArray("data").stream().map(o -> ((JsonObject) o).getString("id")).toList();
  }

  private static List<String> reversed(List<String> list) {
    List<String> out = new ArrayList<>(list);
    java.util.Collections.reverse(out);
    return out;
  }

  private static HttpResponse<Buffer> range(String url, String range) {
    return server.client.getAbs(url).putHeader("Range", range).send().await();
  }

  private static Map<String, String> query(String rawQuery) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      out.put(pair.substring(0, eq), pair.substring(eq + 1));
    }
    return out;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String digest(String algorithm, Buffer bytes) throws NoSuchAlgorithmException {
    return Base64.getEncoder().encodeToString(MessageDigest.getInstance(algorithm).digest(bytes.getBytes()));
  }

  private static void trash(User user, String id) {
    assertEquals(200, server.post("/api/libraries/" + id + "/trash", user.key(), null).statusCode());
  }

  private static void assertUnauthenticated(HttpResponse<Buffer> res) {
    assertEquals(401, res.statusCode(), res.bodyAsString());
    assertEquals(new JsonObject().put("detail", "Not authenticated"), res.bodyAsJsonObject());
  }

  private static void assertNotFound(HttpResponse<Buffer> res) {
    assertEquals(404, res.statusCode(), res.bodyAsString());
    assertEquals(new JsonObject().put("detail", "Not found"), res.bodyAsJsonObject());
  }

  /** A FastAPI validation error whose first entry is at {@code loc}; {@code type} null: any type. */
  private static void assertValidation(HttpResponse<Buffer> res, List<Object> loc, String type) {
    assertEquals(422, res.statusCode(), res.bodyAsString());
    JsonArray detail = res.bodyAsJsonObject().getJsonArray("detail");
    assertFalse(detail.isEmpty());
    JsonObject first = detail.getJsonObject(0);
    assertEquals(new JsonArray(loc), first.getJsonArray("loc"), res.bodyAsString());
    if (type != null) {
      assertEquals(type, first.getString("type"), res.bodyAsString());
    } else {
      assertNotNull(first.getString("type"));
    }
    assertNotNull(first.getString("msg"));
  }
}
