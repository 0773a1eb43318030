package org.eucalypt.rendition;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.eucalypt.id.Ids;
import org.eucalypt.support.TestServer;
import org.eucalypt.support.TestServer.User;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Two "instances" working one queue: every task is done once, by one of them. */
@ExtendWith(VertxExtension.class)
class RenditionVerticleTest {
  private TestServer server;
  private User alice;

  @TempDir
  Path dir;

  @BeforeAll
  static void tools() {
    Fixtures.requireTools("vips", "vipsheader", "ffmpeg", "ffprobe");
  }

  @BeforeEach
  void start(Vertx vertx) {
    server = TestServer.start(vertx);
    alice = server.newUser();
  }

  @AfterEach
  void stop() {
    server.stop();
  }

  @Test
  void twoVerticlesShareTheQueueAndDoEachTaskOnce() throws Exception {
    String lib = server.createLibrary(alice, "Photos");
    int photos = 4;
    for (int i = 0; i < photos; i++) {
      BufferedImage img = Fixtures.distinctQuadrants(800, 600);
      Path jpg = Fixtures.write(dir.resolve("p" + i + ".jpg"), img, "jpeg");
      HttpResponse<Buffer> res = server.upload(alice, lib, "p" + i + ".jpg", Buffer.buffer(Files.readAllBytes(jpg)));
      assertEquals(201, res.statusCode(), res.bodyAsString());
    }
    RenditionLimits limits = new RenditionLimits(1, Duration.ofSeconds(30), 200_000_000L);
    java.util.List<String> deployed = new java.util.ArrayList<>();
    for (int i = 0; i < 2; i++) {
      deployed.add(server.vertx.deployVerticle(
        new RenditionVerticle(server.app.settings(), server.clock, server.app.blobs(), limits)).await());
    }
    org.awaitility.Awaitility.await("every task done").atMost(Duration.ofSeconds(120))
      .until(() -> server.count("SELECT count(*) FROM tasks WHERE status = 'success'") == photos);
    assertEquals(0, server.count("SELECT count(*) FROM tasks WHERE attempts <> 1"), "no task was run twice");
    assertEquals(photos * 3L, server.count("SELECT count(*) FROM renditions"));
    server.assertInvariants();
    deployed.forEach(id -> server.vertx.undeploy(id).await());
  }

  @Test
  void anUploadWakesAnIdleWorkerWithoutWaitingForThePoll() throws Exception {
    String lib = server.createLibrary(alice, "Photos");
    RenditionLimits limits = new RenditionLimits(1, Duration.ofSeconds(30), 200_000_000L);
    // A poll of an hour: only the upload's NOTIFY can make this worker look again within the test.
    RenditionVerticle verticle = new RenditionVerticle(server.app.settings(), server.clock, server.app.blobs(), limits,
      Duration.ofHours(1).toMillis());
    String id = server.vertx.deployVerticle(verticle).await();
    org.awaitility.Awaitility.await("the worker found nothing and waits").atMost(Duration.ofSeconds(30))
      .until(() -> verticle.idleLoops() == verticle.loops());
    // An upload before the subscriber is connected would go unheard (and wait for the poll).
    org.awaitility.Awaitility.await("listening").atMost(Duration.ofSeconds(30)).until(verticle::listening);
    Path jpg = Fixtures.write(dir.resolve("p.jpg"), Fixtures.quadrants(800, 600), "jpeg");
    HttpResponse<Buffer> res = server.upload(alice, lib, "p.jpg", Buffer.buffer(Files.readAllBytes(jpg)));
    assertEquals(201, res.statusCode(), res.bodyAsString());
    org.awaitility.Awaitility.await("the task done long before the next poll").atMost(Duration.ofSeconds(120))
      .until(() -> server.count("SELECT count(*) FROM tasks WHERE status = 'success'") == 1);
    server.vertx.undeploy(id).await();
  }
}
