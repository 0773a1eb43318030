package org.eucalypt.asset;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.eucalypt.id.Ids;
import org.eucalypt.support.ServerExtension;
import org.eucalypt.support.TestServer;
import org.eucalypt.support.TestServer.User;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A client that goes away in the middle of an upload (a phone losing its network, a killed
 * process) must leave nothing behind: no staged file, no asset row, no counter change, and a
 * server that keeps answering. The uploads are written by hand on a raw socket, so that the
 * connection can be cut at a chosen byte, abruptly (RST) or politely (FIN).
 */
@ExtendWith(ServerExtension.class)
class UploadDisconnectTest {
  private static final String BOUNDARY = "----eucalypt-disconnect-test";
  private static final long DECLARED_LENGTH = 50L * 1024 * 1024;
  private static final int SENT_BYTES = 5 * 1024 * 1024;
  private static final int FILE_PART_BYTES = 256 * 1024;
  private static final Duration DEADLINE = Duration.ofSeconds(10);

  private TestServer server;
  private User alice;
  private String library;

  /** How the client leaves. */
  enum Cut {
    /** SO_LINGER 0, then close: the kernel sends RST, as when a process is killed. */
    RESET,
    /** An ordinary close: FIN, with the request body still incomplete. */
    CLOSE,
    /** Shut down the sending side only (FIN), keep reading, then close. */
    HALF_CLOSE
  }

  /** A server of its own per test: a file one test leaves in staging must not fail the next. */
  @BeforeEach
  void start(TestServer started) {
    server = started;
    alice = server.newUser();
    library = server.createLibrary(alice, "Disconnects");
  }

  @ParameterizedTest
  @EnumSource(Cut.class)
  void aClientLeavingInTheMiddleOfTheFileLeavesNothingBehind(Cut cut) throws Exception {
    Set<String> blobsBefore = server.storedFiles();
    long assetsBefore = server.count("SELECT count(*) FROM assets");

    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      writeWithin(() -> {
        out.write(head(DECLARED_LENGTH));
        out.write(fields());
        out.write(fileHeader("big.mp4"));
        writeRandom(out, SENT_BYTES);
        out.flush();
      });
      // The server is streaming this upload to staging: the cut happens mid-file, not before it.
      await("a first MB of the upload in staging", () -> stagedBytes() >= 1024 * 1024);
      cut(socket, cut);
    }

    await("the staged file of the cut upload to be removed", () -> stagedFiles().isEmpty());
    assertNothingKept(blobsBefore, assetsBefore);
  }

  /**
   * The whole {@code asset_data} part arrives (so staging it completes) and the client leaves
   * before the body ends: the request never ends, so nothing else will remove the staged file.
   */
  @ParameterizedTest
  @EnumSource(Cut.class)
  void aClientLeavingAfterTheFilePartButBeforeTheEndLeavesNothingBehind(Cut cut) throws Exception {
    Set<String> blobsBefore = server.storedFiles();
    long assetsBefore = server.count("SELECT count(*) FROM assets");

    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      writeWithin(() -> {
        out.write(head(DECLARED_LENGTH));
        out.write(fileHeader("photo.jpg"));
        writeRandom(out, FILE_PART_BYTES);
        // The next delimiter closes the file part; a field then starts and never ends.
        out.write(("\r\n--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"device_id\"\r\n\r\nphone")
          .getBytes(StandardCharsets.US_ASCII));
        out.flush();
      });
      // The file part is whole in staging: its end was read, so staging it completes.
      await("the whole file part in staging", () -> stagedBytes() == FILE_PART_BYTES);
      cut(socket, cut);
    }

    await("the staged file of the cut upload to be removed", () -> stagedFiles().isEmpty());
    assertNothingKept(blobsBefore, assetsBefore);
  }

  /**
   * The connection dies right as the file part starts, while the staging file is still being
   * opened: the failure must not be lost before the stager listens for it. Repeated, since it is
   * a race the server usually, but not always, loses.
   */
  @ParameterizedTest
  @EnumSource(value = Cut.class, names = {"RESET", "CLOSE"})
  void aClientLeavingAsTheFilePartStartsLeavesNothingBehind(Cut cut) throws Exception {
    Set<String> blobsBefore = server.storedFiles();
    long assetsBefore = server.count("SELECT count(*) FROM assets");
    for (int i = 0; i < 20; i++) {
      try (Socket socket = connect()) {
        OutputStream out = socket.getOutputStream();
        writeWithin(() -> {
          out.write(head(DECLARED_LENGTH));
          out.write(fields());
          out.write(fileHeader("early.jpg"));
          writeRandom(out, 64 * 1024);
          out.flush();
        });
        cut(socket, cut);
      }
      // A request on another connection is answered after the server has read the cut one.
      assertEquals(200, server.get("/api/libraries/" + library, alice.key()).statusCode());
    }
    await("staging to be empty", () -> stagedFiles().isEmpty());
    assertNothingKept(blobsBefore, assetsBefore);
  }

  /** A client cut off before the file part starts: only form fields were read. */
  @Test
  void aClientLeavingBeforeTheFilePartLeavesNothingBehind() throws Exception {
    Set<String> blobsBefore = server.storedFiles();
    long assetsBefore = server.count("SELECT count(*) FROM assets");
    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      writeWithin(() -> {
        out.write(head(DECLARED_LENGTH));
        out.write(fields());
        out.flush();
      });
      cut(socket, Cut.RESET);
    }
    // Nothing to wait for but the server noticing: a later request on a new connection shows it has.
    assertEquals(200, server.get("/api/libraries/" + library, alice.key()).statusCode());
    await("staging to be empty", () -> stagedFiles().isEmpty());
    assertNothingKept(blobsBefore, assetsBefore);
  }

  @Test
  void theServerStillAnswersAndUploadsAfterManyCutUploads() throws Exception {
    for (Cut cut : Cut.values()) {
      for (int i = 0; i < 3; i++) {
        String fileName = "clip-" + i + ".mov";
        try (Socket socket = connect()) {
          OutputStream out = socket.getOutputStream();
          writeWithin(() -> {
            out.write(head(DECLARED_LENGTH));
            out.write(fields());
            out.write(fileHeader(fileName));
            writeRandom(out, 512 * 1024);
            out.flush();
          });
          await("the upload to reach staging", () -> !stagedFiles().isEmpty());
          cut(socket, cut);
        }
        await("staging to be empty", () -> stagedFiles().isEmpty());
      }
    }

    assertEquals(200, server.get("/api/server/ping", null).statusCode());
    Buffer bytes = TestServer.randomBytes(4096);
    HttpResponse<Buffer> res = server.upload(alice, library, "after.jpg", bytes);
    assertEquals(201, res.statusCode(), res.bodyAsString());
    JsonObject asset = res.bodyAsJsonObject();
    assertEquals(library, asset.getString("library_id"));
    assertCounters(1, 4096);
    HttpResponse<Buffer> download = server.client
      .getAbs(server.assetUrls(alice, asset.getString("id")).getJsonObject("original").getString("url")).send().await();
    assertEquals(200, download.statusCode());
    assertEquals(bytes, download.body());
    assertTrue(stagedFiles().isEmpty(), () -> "staging: " + stagedFiles());
    server.assertInvariants();
  }

  // ---------------------------------------------------------------- helpers

  private void assertNothingKept(Set<String> blobsBefore, long assetsBefore) {
    assertEquals(assetsBefore, server.count("SELECT count(*) FROM assets"), "no asset row");
    assertCounters(0, 0);
    assertEquals(blobsBefore, server.storedFiles(), "no new file under blobs/");
    Set<Path> staged = stagedFiles();
    assertTrue(staged.isEmpty(), () -> "staging: " + staged);
    server.assertInvariants();
    // And the server still serves this user.
    assertEquals(200, server.get("/api/libraries/" + library, alice.key()).statusCode());
  }

  private void assertCounters(long assets, long bytes) {
    JsonObject lib = server.get("/api/libraries/" + library, alice.key()).bodyAsJsonObject();
    assertEquals(assets, lib.getLong("asset_count"), lib.encode());
    assertEquals(bytes, lib.getLong("storage_used_bytes"), lib.encode());
    assertEquals(assets, server.count("SELECT count(*) FROM assets WHERE library_id = $1",
      Ids.LIBRARY.parse(library).orElseThrow()));
  }

  private long stagedBytes() {
    long total = 0;
    for (Path p : stagedFiles()) {
      try {
        total += Files.size(p);
      } catch (IOException e) {
        // removed meanwhile
      }
    }
    return total;
  }

  private Set<Path> stagedFiles() {
    Path staging = server.storage.resolve("staging").toAbsolutePath().normalize();
    return server.filesUnderStorage().stream().filter(p -> p.startsWith(staging)).collect(Collectors.toSet());
  }

  private Socket connect() throws IOException {
    Socket socket = new Socket("localhost", server.app.port());
    socket.setSoTimeout((int) DEADLINE.toMillis());
    return socket;
  }

  private static void cut(Socket socket, Cut cut) throws IOException {
    switch (cut) {
      case RESET -> {
        socket.setSoLinger(true, 0);
        socket.close();
      }
      case CLOSE -> socket.close();
      case HALF_CLOSE -> {
        socket.shutdownOutput();
        // Keep the reading side open until the server has given up on the request and closed
        // or answered; either way, read to the end.
        try {
          socket.getInputStream().readAllBytes();
        } catch (IOException e) {
          // reset by the server: also a way of giving up
        }
        socket.close();
      }
    }
  }

  private byte[] head(long contentLength) {
    return ("POST /api/assets?library_id=" + library + " HTTP/1.1\r\n"
      + "Host: localhost:" + server.app.port() + "\r\n"
      + "Authorization: Bearer " + alice.key() + "\r\n"
      + "Content-Type: multipart/form-data; boundary=" + BOUNDARY + "\r\n"
      + "Content-Length: " + contentLength + "\r\n"
      + "\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] fields() {
    StringBuilder b = new StringBuilder();
    String[][] fields = {
      {"device_asset_id", "device-asset-" + UUID.randomUUID()},
      {"device_id", "test-device"},
      {"file_created_at", "2024-05-01T10:00:00Z"},
      {"file_modified_at", "2024-05-01T10:00:00Z"}};
    for (String[] f : fields) {
      b.append("--").append(BOUNDARY).append("\r\n")
        .append("Content-Disposition: form-data; name=\"").append(f[0]).append("\"\r\n\r\n")
        .append(f[1]).append("\r\n");
    }
    return b.toString().getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] fileHeader(String fileName) {
    return ("--" + BOUNDARY + "\r\n"
      + "Content-Disposition: form-data; name=\"asset_data\"; filename=\"" + fileName + "\"\r\n"
      + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  private static void writeRandom(OutputStream out, int n) throws IOException {
    byte[] chunk = new byte[64 * 1024];
    for (int left = n; left > 0; left -= chunk.length) {
      ThreadLocalRandom.current().nextBytes(chunk);
      out.write(chunk, 0, Math.min(chunk.length, left));
    }
  }

  interface Writes {
    void run() throws IOException;
  }

  /** Socket writes block when the server stops reading; fail instead of hanging the build. */
  private static void writeWithin(Writes writes) {
    assertTimeoutPreemptively(DEADLINE, writes::run, "the server stopped reading the upload");
  }

  /** Polls until the condition holds; at the deadline, fails naming what is in staging. */
  private void await(String what, Callable<Boolean> condition) {
    try {
      Awaitility.await(what).atMost(DEADLINE).pollInterval(Duration.ofMillis(10)).until(condition);
    } catch (ConditionTimeoutException e) {
      fail(e.getMessage() + "; staging: " + stagedFiles(), e);
    }
  }
}
