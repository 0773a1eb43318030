package org.eucalypt.auth;

import io.vertx.core.json.JsonObject;
import org.eucalypt.support.ServerExtension;
import org.eucalypt.support.TestServer;
import org.eucalypt.support.TestServer.User;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.eucalypt.auth.AuthTesting.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile or odd {@code Authorization} headers, sent as raw bytes over a socket so that no client
 * tidies them first: each is a 401 {@code {"detail": "Not authenticated"}}, never a 5xx, and the
 * server keeps answering.
 */
@ExtendWith(ServerExtension.class)
class HostileHeadersTest {
  private static TestServer server;
  private static User alice;

  @BeforeAll
  static void start(TestServer started) {
    server = started;
    alice = server.newUser();
  }

  /** An HTTP answer read off the wire. */
  record Raw(int status, Map<String, String> headers, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  /** Sends {@code GET path} with the given header lines (raw bytes, without line ends). */
  static Raw raw(String path, List<byte[]> headerLines) {
    try (Socket socket = new Socket("localhost", server.app.port())) {
      socket.setSoTimeout(10_000);
      ByteArrayOutputStream req = new ByteArrayOutputStream();
      req.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n").getBytes(StandardCharsets.US_ASCII));
      for (byte[] line : headerLines) {
        req.write(line);
        req.write("\r\n".getBytes(StandardCharsets.US_ASCII));
      }
      req.write("\r\n".getBytes(StandardCharsets.US_ASCII));
      OutputStream out = socket.getOutputStream();
      out.write(req.toByteArray());
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] all = in.readAllBytes();
      String text = new String(all, StandardCharsets.ISO_8859_1);
      int end = text.indexOf("\r\n\r\n");
      assertTrue(end > 0, "no complete answer: " + text);
      String[] lines = text.substring(0, end).split("\r\n");
      int status = Integer.parseInt(lines[0].split(" ")[1]);
      Map<String, String> headers = new LinkedHashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
      }
      String body = new String(all, end + 4, all.length - end - 4, StandardCharsets.UTF_8);
      if (headers.containsKey("content-length")) {
        body = body.substring(0, Math.min(body.length(), Integer.parseInt(headers.get("content-length"))));
      }
      return new Raw(status, headers, body);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static Raw withAuthorization(byte[] value) {
    byte[] name = "Authorization: ".getBytes(StandardCharsets.US_ASCII);
    byte[] line = new byte[name.length + value.length];
    System.arraycopy(name, 0, line, 0, name.length);
    System.arraycopy(value, 0, line, name.length, value.length);
    return raw("/api/users/me", List.of(line));
  }

  static Raw withAuthorization(String value) {
    return withAuthorization(value.getBytes(StandardCharsets.ISO_8859_1));
  }

  static void assertNotAuthenticated(String what, Raw res) {
    assertEquals(401, res.status(), what + ": " + res);
    assertEquals(new JsonObject().put("detail", "Not authenticated"), res.json(), what);
    assertEquals("application/json", res.headers().get("content-type"), what);
    assertEquals("Bearer", res.headers().get("www-authenticate"), what);
  }

  @Test
  void everyMalformedOrUnknownAuthorizationIs401() {
    Map<String, byte[]> cases = new LinkedHashMap<>();
    cases.put("empty", new byte[0]);
    cases.put("the scheme alone", bytes("Bearer"));
    cases.put("the scheme and spaces", bytes("Bearer      "));
    cases.put("the scheme and a tab", bytes("Bearer \t"));
    cases.put("Basic", bytes("Basic xyz"));
    cases.put("Basic with the valid key", bytes("Basic " + alice.key()));
    cases.put("the key without a scheme", bytes(alice.key()));
    cases.put("scheme glued to the key", bytes("Bearer" + alice.key()));
    cases.put("another scheme that starts alike", bytes("Bearerx " + alice.key()));
    cases.put("a key one character short", bytes("Bearer " + alice.key().substring(1)));
    cases.put("the key with a character more", bytes("Bearer " + alice.key() + "x"));
    cases.put("an unknown key", bytes("Bearer eu_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
    cases.put("a 5000-character token", bytes("Bearer " + "a".repeat(5000)));
    cases.put("the key twice", bytes("Bearer " + alice.key() + " " + alice.key()));
    byte[] nonAscii = {'B', 'e', 'a', 'r', 'e', 'r', ' ', (byte) 0xC3, (byte) 0xA9, (byte) 0xFF, (byte) 0xFE,
      (byte) 0x80, 'k', (byte) 0xE2, (byte) 0x82, (byte) 0xAC};
    cases.put("non-ASCII bytes", nonAscii);
    byte[] keyThenLatin1 = (("Bearer " + alice.key()) + "\u00e9").getBytes(StandardCharsets.ISO_8859_1);
    cases.put("the key and a Latin-1 byte", keyThenLatin1);

    List<String> failures = new ArrayList<>();
    Raw missing = raw("/api/users/me", List.of());
    try {
      assertNotAuthenticated("missing", missing);
    } catch (AssertionError e) {
      failures.add(e.getMessage());
    }
    for (Map.Entry<String, byte[]> c : cases.entrySet()) {
      Raw res = withAuthorization(c.getValue());
      try {
        assertTrue(res.status() < 500, c.getKey() + ": " + res);
        assertNotAuthenticated(c.getKey(), res);
      } catch (AssertionError e) {
        failures.add(e.getMessage());
      }
    }
    assertEquals(List.of(), failures, () -> String.join("\n", failures));
    stillAnswers();
  }

  @Test
  void theSchemeIsCaseInsensitive() {
    for (String scheme : List.of("Bearer", "bearer", "BEARER", "bEaReR")) {
      Raw res = withAuthorization(scheme + " " + alice.key());
      assertEquals(200, res.status(), scheme + ": " + res);
      assertEquals(alice.id(), res.json().getString("id"));
    }
  }

  /**
   * What we found: whitespace around the token does not matter. HTTP strips optional whitespace
   * around a header value (RFC 9110, 5.5) and eucalypt trims the token too, so a valid key with
   * a trailing space (or tab), or with several spaces after the scheme, is accepted: 200.
   */
  @Test
  void whitespaceAroundTheTokenIsIgnored() {
    for (String value : List.of("Bearer " + alice.key() + " ", "Bearer " + alice.key() + "   ",
      "Bearer " + alice.key() + "\t", "Bearer   " + alice.key(), "  Bearer " + alice.key())) {
      Raw res = withAuthorization(value);
      assertEquals(200, res.status(), "[" + value + "]: " + res);
      assertEquals(alice.id(), res.json().getString("id"));
    }
  }

  @Test
  void aHeaderBlockOver16KbIs431AndTheServerStillAnswers() {
    Raw res = raw("/api/users/me", List.of(bytes("Authorization: Bearer " + alice.key()),
      bytes("X-Padding: " + "p".repeat(17 * 1024))));
    assertEquals(431, res.status(), res.toString());
    // One header under the limit, with many others making the block large, is still fine below 16 KB.
    List<byte[]> many = new ArrayList<>();
    many.add(bytes("Authorization: Bearer " + alice.key()));
    for (int i = 0; i < 10; i++) {
      many.add(bytes("X-Pad-" + i + ": " + "p".repeat(1000)));
    }
    assertEquals(200, raw("/api/users/me", many).status());
    // An Authorization header alone over the limit.
    Raw huge = withAuthorization("Bearer " + "a".repeat(20_000));
    assertEquals(431, huge.status(), huge.toString());
    stillAnswers();
  }

  private static void stillAnswers() {
    assertStatus(200, server.get("/api/server/ping", null));
    assertStatus(200, server.get("/api/users/me", alice.key()));
    assertEquals(200, withAuthorization("Bearer " + alice.key()).status());
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
