package org.eucalypt.rendition;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.eucalypt.support.TestServer;
import org.eucalypt.support.TestServer.User;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a client sees of renditions, through the API: an upload answers at once with stable
 * variant URLs that answer 404 until its task has run, then the files; the task on
 * {@code /api/tasks}; thumbhash and metadata on the asset; and the trash lifecycle.
 */
@ExtendWith(VertxExtension.class)
class RenditionApiTest {
  private static final Set<String> IMAGE_RUNGS = Set.of("original", "thumbnail", "small", "preview", "fullsize");
  private static final Set<String> VIDEO_RUNGS =
    Set.of("original", "thumbnail_image", "small_image", "preview_image", "fullsize_image");

  private TestServer server;
  private User alice;
  private String lib;

  @TempDir
  Path dir;

  @BeforeAll
  static void tools() {
    Fixtures.requireTools("vips", "vipsheader", "ffmpeg", "ffprobe", "exiftool", "heif-enc");
  }

  @BeforeEach
  void start(Vertx vertx) {
    server = TestServer.start(vertx);
    alice = server.newUser();
    lib = server.createLibrary(alice, "Photos");
  }

  @AfterEach
  void stop() {
    server.stop();
  }

  @Test
  void aPhotosVariantsAnswer404UntilMadeThenServeAtTheSameUrls() throws Exception {
    // Stored on its side (orientation 6): displayed 1200x1600.
    Path jpg = Fixtures.orientedJpeg(dir, Fixtures.quadrants(1200, 1600), 6);
    Fixtures.run(dir, "exiftool", "-q", "-overwrite_original", "-Make=Canon", "-Model=EOS R5",
      "-GPSLatitude=48.8583", "-GPSLatitudeRef=N", "-GPSLongitude=2.2945", "-GPSLongitudeRef=E", jpg.toString());
    JsonObject up = upload(jpg);
    String id = up.getString("id");
    assertNull(up.getValue("thumbhash"), "made in the background, after the upload answers");

    JsonObject before = server.assetUrls(alice, id);
    assertEquals(IMAGE_RUNGS, before.fieldNames());
    String thumbnailUrl = up.getJsonObject("asset_urls").getJsonObject("thumbnail").getString("url");
    assertEquals(thumbnailUrl, before.getJsonObject("thumbnail").getString("url"), "the lean rung is the same URL");
    assertEquals(404, server.client.getAbs(thumbnailUrl).send().await().statusCode(), "not made yet");
    // A JPEG is its own full-size rendering.
    assertEquals(before.getJsonObject("original"), before.getJsonObject("fullsize"));

    JsonArray queued = tasksOf(id);
    assertEquals(1, queued.size());
    JsonObject task = queued.getJsonObject(0);
    assertEquals("display_proxy_generation", task.getString("task_type"));
    assertEquals("pending", task.getString("status"));
    assertEquals(0, task.getInteger("retry_count"));

    server.renderQueued();

    JsonObject after = server.assetUrls(alice, id);
    for (String rung : List.of("thumbnail", "small", "preview")) {
      assertEquals(before.getJsonObject(rung).getString("url"), after.getJsonObject(rung).getString("url"),
        rung + "'s URL is stable");
    }
    assertFile(after, "thumbnail", "image/webp", 270, 360);
    assertFile(after, "small", "image/webp", 540, 720);
    assertFile(after, "preview", "image/jpeg", 1080, 1440);
    assertEquals(200, server.client.getAbs(thumbnailUrl).send().await().statusCode());
    // The width promised before the file existed is the width it has.
    for (String rung : List.of("thumbnail", "small", "preview")) {
      assertEquals(before.getJsonObject(rung).getInteger("width"), after.getJsonObject(rung).getInteger("width"), rung);
    }

    JsonObject asset = server.get("/api/assets/" + id + "?include=metadata", alice.key()).bodyAsJsonObject();
    String thumbhash = asset.getString("thumbhash");
    assertNotNull(thumbhash);
    assertTrue(Base64.getDecoder().decode(thumbhash).length >= 5, thumbhash);
    JsonObject metadata = asset.getJsonObject("metadata");
    assertEquals("Canon", metadata.getString("make"));
    assertEquals("EOS R5", metadata.getString("model"));
    assertEquals(6, metadata.getInteger("orientation"));
    assertEquals(48.8583, metadata.getDouble("latitude"), 1e-4);
    assertEquals(2.2945, metadata.getDouble("longitude"), 1e-4);
    assertEquals(id, metadata.getString("asset_id"));

    JsonObject done = server.get("/api/tasks/" + task.getString("id"), alice.key()).bodyAsJsonObject();
    assertEquals("success", done.getString("status"));
    assertNotNull(done.getString("started_at"));
    assertNotNull(done.getString("completed_at"));
    assertTrue(done.getString("result").contains("thumbnail"), done.getString("result"));
    // Its celery_task_id finds it too.
    assertEquals(done, server.get("/api/tasks/" + done.getString("celery_task_id"), alice.key()).bodyAsJsonObject());
    server.assertInvariants();
  }

  @Test
  void aHeicGetsAFullSizeJpegAndAVideoItsStillsVariants() throws Exception {
    JsonObject heic = upload(Fixtures.heic(dir, 640, 480));
    JsonObject video = upload(Fixtures.video(dir));
    assertEquals(Set.of("thumbnail_image"), video.getJsonObject("asset_urls").fieldNames());
    assertEquals(2, tasksOf(video.getString("id")).size(), "its still, and its duration and frame rate");

    server.renderQueued();

    JsonObject heicUrls = server.assetUrls(alice, heic.getString("id"));
    assertTrue(heicUrls.getJsonObject("fullsize").getString("url").contains("/variants/fullsize?"));
    assertFile(heicUrls, "fullsize", "image/jpeg", 640, 480);
    JsonObject videoUrls = server.assetUrls(alice, video.getString("id"));
    assertEquals(VIDEO_RUNGS, videoUrls.fieldNames());
    assertFile(videoUrls, "thumbnail_image", "image/webp", null, null);
    assertFile(videoUrls, "fullsize_image", "image/jpeg", null, null);
    JsonObject asset = server.get("/api/assets/" + video.getString("id") + "?include=metadata", alice.key())
      .bodyAsJsonObject();
    assertNotNull(asset.getString("thumbhash"));
    assertNotNull(asset.getDouble("duration"));
    assertNotNull(asset.getJsonObject("metadata").getDouble("fps"));
    for (Object t : tasksOf(video.getString("id"))) {
      assertEquals("success", ((JsonObject) t).getString("status"), ((JsonObject) t).encode());
    }
    server.assertInvariants();
  }

  @Test
  void aSignatureGrantsTheVariantsOfItsAssetOnly() throws Exception {
    String a = upload(Fixtures.write(dir.resolve("a.jpg"), Fixtures.quadrants(400, 300), "jpeg")).getString("id");
    String b = upload(Fixtures.write(dir.resolve("b.png"), Fixtures.quadrants(300, 400), "png")).getString("id");
    server.renderQueued();
    String url = server.assetUrls(alice, a).getJsonObject("small").getString("url");
    HttpResponse<Buffer> withoutKey = server.client.getAbs(url).send().await();
    assertEquals(200, withoutKey.statusCode());
    assertEquals("image/webp", withoutKey.getHeader("content-type"));
    assertNotNull(withoutKey.getHeader("etag"));
    // a's signature on b's path: refused, as for originals.
    assertEquals(401, server.client.getAbs(url.replace(a, b)).send().await().statusCode());
    // A range, as for originals.
    HttpResponse<Buffer> part = server.client.getAbs(url).putHeader("Range", "bytes=0-9").send().await();
    assertEquals(206, part.statusCode());
    assertArrayEquals(java.util.Arrays.copyOf(withoutKey.body().getBytes(), 10), part.body().getBytes());
    // With the key instead, no signature needed; an unknown variant name is a 404.
    assertEquals(200, server.get("/api/assets/" + b + "/variants/thumbnail", alice.key()).statusCode());
    assertEquals(404, server.get("/api/assets/" + b + "/variants/poster", alice.key()).statusCode());
  }

  @Test
  void aTrashedLibrarysVariantsAndTasksAreGoneUntilItsRestoredWithoutBeingMadeAgain() throws Exception {
    String id = upload(Fixtures.write(dir.resolve("t.jpg"), Fixtures.quadrants(400, 300), "jpeg")).getString("id");
    server.renderQueued();
    String url = server.assetUrls(alice, id).getJsonObject("thumbnail").getString("url");
    long renditions = server.count("SELECT count(*) FROM renditions");
    String taskId = tasksOf(id).getJsonObject(0).getString("id");

    assertEquals(200, server.post("/api/libraries/" + lib + "/trash", alice.key(), null).statusCode());
    assertEquals(404, server.client.getAbs(url).send().await().statusCode());
    assertEquals(404, server.get("/api/tasks/asset/" + id, alice.key()).statusCode());
    assertEquals(404, server.get("/api/tasks/" + taskId, alice.key()).statusCode());
    assertEquals(0, server.get("/api/tasks/", alice.key()).bodyAsJsonArray().size());

    assertEquals(200, server.post("/api/libraries/" + lib + "/restore", alice.key(), null).statusCode());
    assertEquals(200, server.client.getAbs(url).send().await().statusCode());
    assertEquals(renditions, server.count("SELECT count(*) FROM renditions"));
    assertEquals(0, server.count("SELECT count(*) FROM tasks WHERE status <> 'success'"), "nothing to make again");
    server.assertInvariants();
  }

  @Test
  void aTrashedAssetKeepsItsThumbnailForTheTrashView() throws Exception {
    String id = upload(Fixtures.write(dir.resolve("v.jpg"), Fixtures.quadrants(400, 300), "jpeg")).getString("id");
    server.renderQueued();
    assertEquals(200, server.post("/api/assets/trash?library_id=" + lib, alice.key(),
      new JsonObject().put("ids", new JsonArray().add(id))).statusCode());
    assertEquals(200, server.get("/api/assets/" + id + "/variants/thumbnail", alice.key()).statusCode());
  }

  @Test
  void tasksAreListedNewestFirstFilteredAndOnlyTheCallersOwn() throws Exception {
    String first = upload(Fixtures.write(dir.resolve("1.jpg"), Fixtures.quadrants(64, 48), "jpeg")).getString("id");
    server.clock.advance(java.time.Duration.ofSeconds(1));
    String broken = upload(Fixtures.truncatedJpeg(dir)).getString("id");
    server.clock.advance(java.time.Duration.ofSeconds(1));
    String other = server.createLibrary(alice, "Other");
    String third = server.uploadPhoto(alice, other).getString("id");
    server.renderQueued();

    JsonArray all = server.get("/api/tasks/", alice.key()).bodyAsJsonArray();
    assertEquals(List.of(third, broken, first), all.stream().map(t -> ((JsonObject) t).getString("asset_id")).toList());
    JsonArray inLib = server.get("/api/tasks/?library_id=" + lib, alice.key()).bodyAsJsonArray();
    assertEquals(2, inLib.size());
    JsonArray limited = server.get("/api/tasks/?limit=1", alice.key()).bodyAsJsonArray();
    assertEquals(third, limited.getJsonObject(0).getString("asset_id"));
    assertEquals(1, limited.size());
    // The truncated file failed after its first attempt, and will be retried later; it says why.
    JsonObject failing = tasksOf(broken).getJsonObject(0);
    assertNotNull(failing.getString("error_message"));
    assertEquals(0, server.get("/api/tasks/?status=success&library_id=" + lib, alice.key()).bodyAsJsonArray()
      .stream().filter(t -> ((JsonObject) t).getString("asset_id").equals(broken)).count());
    assertEquals(0, server.get("/api/tasks/?task_type=face_detection", alice.key()).bodyAsJsonArray().size());
    assertEquals(422, server.get("/api/tasks/?task_type=knitting", alice.key()).statusCode());
    assertEquals(422, server.get("/api/tasks/?status=done", alice.key()).statusCode());

    User bob = server.newUser();
    assertEquals(0, server.get("/api/tasks/", bob.key()).bodyAsJsonArray().size());
    assertEquals(404, server.get("/api/tasks/?library_id=" + lib, bob.key()).statusCode());
    assertEquals(404, server.get("/api/tasks/asset/" + first, bob.key()).statusCode());
    assertEquals(404, server.get("/api/tasks/" + all.getJsonObject(0).getString("id"), bob.key()).statusCode());
    assertEquals(404, server.get("/api/assets/" + first + "/variants/thumbnail", bob.key()).statusCode());
    assertEquals(404, server.get("/api/tasks/btask_nonsense", alice.key()).statusCode());
    assertNotEquals(0, all.size());
  }

  private JsonObject upload(Path file) throws Exception {
    HttpResponse<Buffer> res = server.upload(alice, lib, file.getFileName().toString(),
      Buffer.buffer(Files.readAllBytes(file)));
    assertEquals(201, res.statusCode(), res.bodyAsString());
    return res.bodyAsJsonObject();
  }

  private JsonArray tasksOf(String asset) {
    HttpResponse<Buffer> res = server.get("/api/tasks/asset/" + asset, alice.key());
    assertEquals(200, res.statusCode(), res.bodyAsString());
    return res.bodyAsJsonArray();
  }

  /** The rung answers its file, of that type and (when given) size, as vipsheader reads it. */
  private void assertFile(JsonObject urls, String rung, String mimeType, Integer width, Integer height)
    throws Exception {
    JsonObject variant = urls.getJsonObject(rung);
    assertEquals(mimeType, variant.getString("mimetype"), rung);
    HttpResponse<Buffer> res = server.client.getAbs(variant.getString("url")).send().await();
    assertEquals(200, res.statusCode(), rung);
    assertEquals(mimeType, res.getHeader("content-type"), rung);
    Path file = Files.write(dir.resolve(rung + (mimeType.endsWith("webp") ? ".webp" : ".jpg")), res.body().getBytes());
    String header = Fixtures.run(dir, "vipsheader", file.toString());
    if (width != null) {
      assertTrue(header.contains(": " + width + "x" + height + " "), rung + ": " + header);
      assertEquals(width, variant.getInteger("width"), rung);
    }
  }
}
