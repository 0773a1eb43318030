package org.eucalypt.storage;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.eucalypt.drain.Drain;
import org.eucalypt.support.S3Mock;
import org.eucalypt.support.TestServer;
import org.eucalypt.support.TestServer.User;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code EUCALYPT_STORAGE=s3} against Adobe's S3Mock, through the HTTP API: files land in the
 * bucket (a large one as a multipart upload), downloads serve byte ranges from it, and the drain
 * removes the objects of a purged library with the counters and events right.
 */
@ExtendWith(VertxExtension.class)
class S3StorageTest {
  private static final String BUCKET = "eucalypt-photos";
  private static S3Mock s3mock;
  private static S3Client s3;
  private static TestServer server;

  @BeforeAll
  static void start(Vertx vertx) {
    s3mock = S3Mock.start();
    s3 = s3mock.client();
    s3.createBucket(b -> b.bucket(BUCKET));
    // DefaultCredentialsProvider reads these as it reads AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
    System.setProperty("aws.accessKeyId", S3Mock.ACCESS_KEY);
    System.setProperty("aws.secretAccessKey", S3Mock.SECRET_KEY);
    server = TestServer.start(vertx, s -> s.with("s3_bucket", BUCKET).with("s3_endpoint", s3mock.endpoint())
      .with("s3_region", "us-east-1").with("storage", "s3"));
  }

  @AfterAll
  static void stop() {
    server.stop();
    s3.close();
    s3mock.stop();
  }

  @Test
  void theServerStoresInTheBucket() {
    assertTrue(server.app.blobs() instanceof S3BlobStore);
  }

  @Test
  void uploadsGoToTheBucketAndDownloadsServeRangesFromIt() throws Exception {
    User alice = server.newUser();
    String lib = server.createLibrary(alice, "In S3");
    Buffer small = TestServer.randomBytes(5000);
    JsonObject asset = uploaded(server.upload(alice, lib, "small.jpg", small));
    String key = blobKey(asset);
    assertEquals(5000L, s3.headObject(b -> b.bucket(BUCKET).key(key)).contentLength());

    String url = server.assetUrls(alice, asset.getString("id")).getJsonObject("original").getString("url");
    HttpResponse<Buffer> whole = server.client.getAbs(url).send().await();
    assertEquals(200, whole.statusCode());
    assertArrayEquals(small.getBytes(), whole.body().getBytes());
    HttpResponse<Buffer> middle = server.client.getAbs(url).putHeader("Range", "bytes=100-199").send().await();
    assertEquals(206, middle.statusCode());
    assertEquals("bytes 100-199/5000", middle.getHeader("Content-Range"));
    assertArrayEquals(small.getBytes(100, 200), middle.body().getBytes());

    // Above the multipart threshold: several parts, one object, the same bytes.
    int size = (int) (S3Clients.MULTIPART_THRESHOLD + 3 * 1024 * 1024 + 17);
    Buffer large = TestServer.randomBytes(size);
    JsonObject big = uploaded(server.upload(alice, lib, "large.jpg", large));
    String bigKey = blobKey(big);
    var head = s3.headObject(b -> b.bucket(BUCKET).key(bigKey));
    assertEquals((long) size, head.contentLength());
    assertTrue(head.eTag().contains("-"), "a multipart object's ETag names its parts: " + head.eTag());
    String bigUrl = server.assetUrls(alice, big.getString("id")).getJsonObject("original").getString("url");
    HttpResponse<Buffer> tail = server.client.getAbs(bigUrl).putHeader("Range", "bytes=" + (size - 1000) + "-").send().await();
    assertEquals(206, tail.statusCode());
    assertArrayEquals(large.getBytes(size - 1000, size), tail.body().getBytes());
    HttpResponse<Buffer> all = server.client.getAbs(bigUrl).send().await();
    assertArrayEquals(large.getBytes(), all.body().getBytes());

    // Nothing is left staged on local disk once the files are in the bucket.
    try (Stream<Path> staged = Files.list(server.storage.resolve("staging"))) {
      assertEquals(List.of(), staged.toList());
    }
  }

  @Test
  void theDrainRemovesAPurgedLibrarysObjects() {
    User bob = server.newUser();
    String keep = server.createLibrary(bob, "Kept");
    String lib = server.createLibrary(bob, "Purged");
    String kept = blobKey(server.uploadRandom(bob, keep));
    Set<String> keys = new java.util.HashSet<>();
    for (int i = 0; i < 25; i++) {
      keys.add(blobKey(server.uploadRandom(bob, lib)));
    }
    assertTrue(objects().containsAll(keys));
    assertEquals(200, server.post("/api/libraries/" + lib + "/trash", bob.key(), null).statusCode());
    assertEquals(200, server.call(HttpMethod.DELETE, "/api/libraries/" + lib, bob.key(), null).statusCode());

    Drain drain = server.drain(10);
    long libraryUuidEvents = server.count("SELECT count(*) FROM events WHERE event_type = 'asset_deleted'");
    while (!drain.runBatch().await().idle()) {
      // a batch of 10 at a time; each lowers the counters as it goes
      long left = server.count("SELECT coalesce(max(asset_count), 0) FROM libraries WHERE trashed_at IS NOT NULL");
      assertTrue(left < 25);
    }
    Set<String> remaining = objects();
    for (String k : keys) {
      assertTrue(!remaining.contains(k), "still in the bucket: " + k);
    }
    assertTrue(remaining.contains(kept), "a live library's object stays");
    assertEquals(404, server.get("/api/libraries/" + lib, bob.key()).statusCode());
    assertEquals(25, server.count("SELECT count(*) FROM events WHERE event_type = 'asset_deleted'") - libraryUuidEvents);
    assertEquals(0, server.count("SELECT count(*) FROM blob_deletions"));
    JsonObject me = server.get("/api/users/me", bob.key()).bodyAsJsonObject();
    assertEquals(2048L, me.getLong("storage_used_bytes"));
    assertEquals(1L, server.get("/api/libraries/" + keep, bob.key()).bodyAsJsonObject().getLong("asset_count"));
  }

  @Test
  void listedDeletionsOfMissingObjectsStillClear() {
    // A crash after S3 deleted but before the listing was cleared: the retry must succeed.
    String ghost = "ghost-" + UUID.randomUUID();
    server.sql("INSERT INTO blob_deletions (blob_key, not_before) VALUES ($1, now() - interval '1 minute')", ghost);
    assertEquals(1, server.drain(10).sweepDeletions(100).await());
    assertEquals(0, server.count("SELECT count(*) FROM blob_deletions WHERE blob_key = $1", ghost));
  }

  private static JsonObject uploaded(HttpResponse<Buffer> res) {
    assertEquals(201, res.statusCode(), res.bodyAsString());
    return res.bodyAsJsonObject();
  }

  private static String blobKey(JsonObject asset) {
    return server.sql("SELECT blob_key FROM assets WHERE id = $1",
      org.eucalypt.id.Ids.ASSET.parse(asset.getString("id")).orElseThrow()).iterator().next().getString(0);
  }

  private static Set<String> objects() {
    return s3.listObjectsV2Paginator(b -> b.bucket(BUCKET)).contents().stream().map(S3Object::key)
      .collect(Collectors.toSet());
  }
}
