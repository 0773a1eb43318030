package org.eucalypt.reliability;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.eucalypt.drain.Drain;
import org.eucalypt.reliability.support.Tmpfs;
import org.eucalypt.support.TestServer;
import org.eucalypt.support.TestServer.User;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A blob store that is full or unwritable, on a real file system (a tmpfs mounted for the test):
 * an upload answers 507 (full) or 502 (otherwise broken) with no row and no file left, staged or
 * kept; a purge that cannot delete its files keeps them listed until they are really gone; and
 * everything works again once the disk does, with nothing restarted.
 */
@ExtendWith(VertxExtension.class)
class StorageFaultsTest {
  private TestServer server;
  private Tmpfs disk;

  private TestServer start(Vertx vertx, String size) throws IOException {
    disk = Tmpfs.mount(size);
    server = TestServer.start(vertx, s -> s.with("storage_dir", disk.dir().toString()));
    return server;
  }

  @AfterEach
  void stop() throws IOException {
    if (disk != null) {
      disk.readWrite();
    }
    if (server != null) {
      server.stop();
    }
    if (disk != null) {
      disk.close();
    }
  }

  private Set<Path> filesOnDisk() {
    try (Stream<Path> files = Files.walk(disk.dir())) {
      Set<Path> out = new HashSet<>();
      files.filter(Files::isRegularFile).forEach(out::add);
      return out;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private long assets() {
    return server.count("SELECT count(*) FROM assets");
  }

  private static void assertProblem(int status, HttpResponse<Buffer> res) {
    assertEquals(status, res.statusCode(), res.bodyAsString());
    assertNotNull(res.bodyAsJsonObject().getString("detail"), res.bodyAsString());
  }

  @Test
  void aFullDiskRefusesTheUploadAndKeepsNothingOfIt(Vertx vertx) throws Exception {
    start(vertx, "1m");
    User alice = server.newUser();
    String lib = server.createLibrary(alice, "full");
    server.uploadRandom(alice, lib);
    Set<Path> before = filesOnDisk();

    // 2 MiB into a 1 MiB disk: ENOSPC halfway through the staging.
    HttpResponse<Buffer> res = server.upload(alice, lib, "big.jpg", TestServer.randomBytes(2 * 1024 * 1024));
    assertProblem(507, res);
    assertEquals(1, assets());
    assertEquals(before, filesOnDisk(), "the truncated upload stayed on disk");
    assertEquals(0, server.count("SELECT count(*) FROM blob_deletions"));

    // Several at once, each taking room the others need: each kept whole or refused, none half-kept.
    List<io.vertx.core.Future<HttpResponse<Buffer>>> many = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      many.add(uploadAsync(alice, lib, "mid" + i + ".jpg", 300 * 1024));
    }
    for (var f : many) {
      int status = f.await().statusCode();
      assertTrue(status == 201 || status == 507, "answered " + status);
    }
    server.assertInvariants();
    assertEquals(assets(), server.storedFiles().size());
    assertTrue(filesOnDisk().stream().noneMatch(p -> p.toString().contains("/staging/")), "a staged upload stayed");
    server.sql("DELETE FROM assets WHERE original_file_name LIKE 'mid%' RETURNING blob_key").forEach(r -> {
      try {
        Files.delete(server.localBlobs().path(r.getString(0)));
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    });
    server.sql("UPDATE libraries SET asset_count = (SELECT count(*) FROM assets WHERE library_id = libraries.id),"
      + " storage_used_bytes = (SELECT coalesce(sum(size_bytes), 0) FROM assets WHERE library_id = libraries.id)");

    // Nothing to restart: once there is room, uploads work.
    HttpResponse<Buffer> small = server.upload(alice, lib, "small.jpg", TestServer.randomBytes(4096));
    assertEquals(201, small.statusCode(), small.bodyAsString());
    server.assertInvariants();
  }

  @Test
  void anUnwritableDiskAnswers502AndRecovers(Vertx vertx) throws Exception {
    start(vertx, "8m");
    User alice = server.newUser();
    String lib = server.createLibrary(alice, "ro");
    server.uploadRandom(alice, lib);
    Set<Path> before = filesOnDisk();

    disk.readOnly();
    for (int i = 0; i < 3; i++) {
      assertProblem(502, server.upload(alice, lib, "p" + i + ".jpg", TestServer.randomBytes(8192)));
    }
    assertEquals(1, assets());
    assertEquals(before, filesOnDisk());
    // Reading still works on a read-only disk.
    assertEquals(200, server.get("/api/assets?library_id=" + lib, alice.key()).statusCode());

    disk.readWrite();
    assertEquals(201, server.upload(alice, lib, "after.jpg", TestServer.randomBytes(8192)).statusCode());
    server.assertInvariants();
  }

  @Test
  void aPurgeThatCannotDeleteFilesKeepsThemListedUntilTheyAreGone(Vertx vertx) throws Exception {
    start(vertx, "8m");
    User alice = server.newUser();
    String lib = server.createLibrary(alice, "purge");
    Set<String> keys = new HashSet<>();
    for (int i = 0; i < 5; i++) {
      String id = server.uploadRandom(alice, lib).getString("id");
      keys.add(server.sql("SELECT blob_key FROM assets WHERE id = $1",
        org.eucalypt.id.Ids.ASSET.parse(id).orElseThrow()).iterator().next().getString(0));
    }
    // One asset deleted from the API while the disk is read-only, too.
    String single = server.uploadRandom(alice, lib).getString("id");
    assertEquals(200, server.post("/api/libraries/" + lib + "/trash", alice.key(), null).statusCode());
    assertEquals(200, server.call(HttpMethod.DELETE, "/api/libraries/" + lib, alice.key(), null).statusCode());

    disk.readOnly();
    Drain drain = server.drain(2);
    // Batches commit (the rows go, the files are listed), deletions fail, the files stay listed.
    for (int i = 0; i < 10 && server.count("SELECT count(*) FROM libraries") > 0; i++) {
      drain.runBatch().await();
      server.assertInvariants();
    }
    assertEquals(0, assets());
    assertEquals(0, server.count("SELECT count(*) FROM libraries"));
    assertEquals(6, server.count("SELECT count(*) FROM blob_deletions"), "a file not deleted was forgotten");
    assertEquals(6, server.storedFiles().size());
    // Sweeps fail too, and still forget nothing.
    assertEquals(6, drain.sweepDeletions(100).await());
    assertEquals(6, server.count("SELECT count(*) FROM blob_deletions"));
    server.assertInvariants();
    assertTrue(single.startsWith("asset_"));

    disk.readWrite();
    // The next sweep (once the lease of the failed ones has run out) finishes the job.
    server.clock.advance(java.time.Duration.ofMinutes(3));
    drain.sweepDeletions(100).await();
    assertEquals(0, server.count("SELECT count(*) FROM blob_deletions"));
    assertEquals(Set.of(), server.storedFiles());
    server.assertInvariants();
  }

  private io.vertx.core.Future<HttpResponse<Buffer>> uploadAsync(User user, String lib, String name, int size) {
    io.vertx.ext.web.multipart.MultipartForm form = io.vertx.ext.web.multipart.MultipartForm.create()
      .attribute("device_asset_id", name).attribute("device_id", "x")
      .attribute("file_created_at", "2024-05-01T10:00:00Z").attribute("file_modified_at", "2024-05-01T10:00:00Z")
      .binaryFileUpload("asset_data", name, TestServer.randomBytes(size), "image/jpeg");
    return server.client.post("/api/assets").addQueryParam("library_id", lib)
      .bearerTokenAuthentication(user.key()).sendMultipartForm(form);
  }

  /**
   * An upload racing a trash of its library: each answer is 201 (it committed before the trash)
   * or 404 (the library was trashed first), never 507 as if the library were full.
   */
  @Test
  void anUploadRacingATrashAnswers201Or404(Vertx vertx) throws Exception {
    start(vertx, "16m");
    User alice = server.newUser();
    for (int round = 0; round < 5; round++) {
      String lib = server.createLibrary(alice, "race" + round);
      List<io.vertx.core.Future<HttpResponse<Buffer>>> uploads = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        uploads.add(uploadAsync(alice, lib, "p" + i + ".jpg", 64 * 1024));
      }
      HttpResponse<Buffer> trash = server.post("/api/libraries/" + lib + "/trash", alice.key(), null);
      assertEquals(200, trash.statusCode());
      for (var f : uploads) {
        HttpResponse<Buffer> res = f.await();
        assertTrue(res.statusCode() == 201 || res.statusCode() == 404, res.statusCode() + " " + res.bodyAsString());
      }
      server.assertInvariants();
    }
  }
}
