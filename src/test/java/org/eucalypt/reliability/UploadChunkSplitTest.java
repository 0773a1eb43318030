package org.eucalypt.reliability;

import io.vertx.core.json.JsonObject;
import org.eucalypt.reliability.support.JarFixture;
import org.eucalypt.reliability.support.RawHttp;
import org.eucalypt.reliability.support.RawHttp.Answer;
import org.eucalypt.support.ServerExtension;
import org.eucalypt.support.TestServer;
import org.eucalypt.support.TestServer.User;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * netty/netty#17383: when a read of a multipart body ends with the CR of the CRLF before a
 * boundary, Netty's decoder keeps that CR as content. Form fields came out one byte long (dates
 * failed to parse, ids were stored with a CR), and RaceFuzzTest once stored a photo one byte too
 * long. Uploads are now parsed by http.UploadForm (Jetty's parser). The body is sent in pieces,
 * each flushed on its own: cut after every CR, and cut at every offset around the file's end;
 * the stored file must be the uploaded bytes and the fields what was sent.
 */
@ExtendWith(ServerExtension.class)
class UploadChunkSplitTest {
  private static TestServer server;
  private static User alice;
  private static String library;

  @BeforeAll
  static void start(TestServer started) {
    server = started;
    alice = server.newUser();
    library = server.createLibrary(alice, "split");
  }

  @Test
  void bodySplitAfterEachCrStoresExactBytes() throws Exception {
    Random r = new Random(17383);
    for (String ending : List.of("\r", "\r\n", "\r\r\n", "x\r")) {
      byte[] content = new byte[3000];
      r.nextBytes(content);
      // CR LF pairs and lone CRs inside, and the file ending on the given bytes.
      for (int i = 100; i < 2900; i += 137) {
        content[i] = '\r';
        content[i + 1] = (byte) (i % 2 == 0 ? '\n' : 'y');
      }
      byte[] end = ending.getBytes(StandardCharsets.ISO_8859_1);
      System.arraycopy(end, 0, content, content.length - end.length, end.length);
      upload(content);
    }
  }

  @Test
  void bodyCutAtEveryOffsetAroundTheFileEndStoresExactBytes() throws Exception {
    Random r = new Random(3006);
    int closing = "\r\n--probe--\r\n".length();
    // From 40 bytes before the file's last byte to the middle of the closing delimiter; the
    // cut right after the CR that ends the file part is the one netty/netty#17383 is about.
    for (int back = closing + 40; back >= closing - 12; back--) {
      byte[] content = new byte[3006];
      r.nextBytes(content);
      int fromEnd = back;
      upload(content, bytes -> List.of(java.util.Arrays.copyOfRange(bytes, 0, bytes.length - fromEnd),
        java.util.Arrays.copyOfRange(bytes, bytes.length - fromEnd, bytes.length)), "probe");
    }
  }

  private void upload(byte[] content) throws Exception {
    upload(content, UploadChunkSplitTest::cutAfterEveryCr, "splitboundary" + System.nanoTime());
  }

  private static List<byte[]> cutAfterEveryCr(byte[] bytes) {
    List<byte[]> pieces = new ArrayList<>();
    int from = 0;
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == '\r') {
        pieces.add(java.util.Arrays.copyOfRange(bytes, from, i + 1));
        from = i + 1;
      }
    }
    pieces.add(java.util.Arrays.copyOfRange(bytes, from, bytes.length));
    return pieces;
  }

  private void upload(byte[] content, java.util.function.Function<byte[], List<byte[]>> cut, String boundary)
      throws Exception {
    String deviceAssetId = "d" + System.nanoTime();
    byte[] bytes = JarFixture.multipart(boundary, deviceAssetId, content);
    byte[] head = RawHttp.head("POST", "/api/assets?library_id=" + library, Map.of(
      "Authorization", "Bearer " + alice.key(),
      "Content-Type", "multipart/form-data; boundary=" + boundary,
      "Content-Length", String.valueOf(bytes.length)));
    List<byte[]> pieces = new ArrayList<>();
    pieces.add(head);
    pieces.addAll(cut.apply(bytes));
    // A pause between pieces, so that each arrives as a read (a Netty chunk) of its own.
    Answer a = new RawHttp("localhost", server.app.port()).exchange(pieces, 3);
    assertEquals(201, a.status(), a.toString());
    String id = a.json().getString("id");
    JsonObject withData = server.get("/api/assets/" + id + "?include=file_data,variants", alice.key()).bodyAsJsonObject();
    JsonObject data = withData.getJsonObject("file_data");
    assertEquals(content.length, data.getLong("file_size_bytes"));
    // Form fields too: Netty's decoder kept a stray CR in them ("...Z\r" then failed as a date).
    assertEquals(deviceAssetId, data.getString("device_asset_id"));
    assertEquals("it", data.getString("device_id"));
    assertEquals(Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(content)),
      data.getString("checksum"));
    String url = withData.getJsonObject("asset_urls").getJsonObject("original").getString("url");
    byte[] stored = server.client.getAbs(url).send().await().body().getBytes();
    assertArrayEquals(content, stored);
    server.assertInvariants();
  }
}
