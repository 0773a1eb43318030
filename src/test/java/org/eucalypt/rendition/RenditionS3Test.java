package org.eucalypt.rendition;

import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.eucalypt.id.Ids;
import org.eucalypt.support.S3Mock;
import org.eucalypt.support.TestServer;
import org.eucalypt.support.TestServer.User;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With {@code storage=s3}: the original is fetched from the bucket, renditions land in it and leave with their asset. */
@ExtendWith(VertxExtension.class)
class RenditionS3Test {
  private static final String BUCKET = "eucalypt-renditions";
  private static S3Mock s3mock;
  private static S3Client s3;
  private static TestServer server;

  @TempDir
  Path dir;

  @BeforeAll
  static void start(Vertx vertx) {
    Fixtures.requireTools("vips", "vipsheader");
    s3mock = S3Mock.start();
    s3 = s3mock.client();
    s3.createBucket(b -> b.bucket(BUCKET));
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

  private static Set<String> objects() {
    return s3.listObjectsV2Paginator(b -> b.bucket(BUCKET)).contents().stream().map(S3Object::key)
      .collect(Collectors.toSet());
  }

  @Test
  void renditionsAreStoredInTheBucketAndGoWithTheirAsset() throws Exception {
    User alice = server.newUser();
    String lib = server.createLibrary(alice, "In S3");
    Path jpg = Fixtures.write(dir.resolve("photo.jpg"), Fixtures.quadrants(1600, 1200), "jpeg");
    HttpResponse<Buffer> res = server.upload(alice, lib, "photo.jpg", Buffer.buffer(Files.readAllBytes(jpg)));
    assertEquals(201, res.statusCode(), res.bodyAsString());
    UUID asset = Ids.ASSET.parse(res.bodyAsJsonObject().getString("id")).orElseThrow();

    WorkerExecutor executor = server.vertx.createSharedWorkerExecutor("test-renditions-s3", 1);
    try {
      RenditionWorker worker = new RenditionWorker(server.vertx, server.app.pool(), server.app.blobs(), executor,
        server.clock, new RenditionLimits(1, Duration.ofSeconds(30), 200_000_000L));
      assertTrue(worker.runOne().await());
    } finally {
      executor.close();
    }
    Set<String> keys = new HashSet<>();
    server.sql("SELECT blob_key FROM renditions WHERE asset_id = $1", asset).forEach(r -> keys.add(r.getString(0)));
    assertEquals(3, keys.size());
    assertTrue(objects().containsAll(keys), "the renditions are objects of the bucket");

    assertEquals(200, server.call(HttpMethod.DELETE, "/api/assets/" + Ids.ASSET.format(asset), alice.key(), null).statusCode());
    server.drain(10).sweepDeletions(100).await();
    Set<String> left = objects();
    keys.forEach(k -> assertTrue(!left.contains(k), "still in the bucket: " + k));
    assertEquals(0, server.count("SELECT count(*) FROM blob_deletions"));
  }
}
