package org.eucalypt.reliability.support;

import io.vertx.core.json.JsonObject;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, byte for byte as given: no client library tidies a hostile
 * request (invalid UTF-8, broken boundaries, huge headers) before the server sees it.
 */
public final class RawHttp {
  private final String host;
  private final int port;

  public RawHttp(String host, int port) {
    this.host = host;
    this.port = port;
  }

  /** An answer read off the wire; {@code status} is -1 when the server closed without one. */
  public record Answer(int status, Map<String, String> headers, byte[] body) {
    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** The body as JSON, or null when it is not a JSON object. */
    public JsonObject json() {
      try {
        return new JsonObject(text());
      } catch (RuntimeException e) {
        return null;
      }
    }

    @Override
    public String toString() {
      return status + " " + headers + " " + (body.length > 300 ? text().substring(0, 300) + "..." : text());
    }
  }

  /** The head of a request: request line and header lines, ending with the blank line. */
  public static byte[] head(String method, String target, Map<String, String> headers) {
    StringBuilder b = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
    b.append("Host: localhost\r\nConnection: close\r\n");
    headers.forEach((k, v) -> b.append(k).append(": ").append(v).append("\r\n"));
    b.append("\r\n");
    return b.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  /** Sends one request with a body (Content-Length set from it unless given) and reads the answer. */
  public Answer send(String method, String target, Map<String, String> headers, byte[] body) {
    Map<String, String> h = new LinkedHashMap<>(headers);
    if (body != null && h.keySet().stream().noneMatch(k -> k.equalsIgnoreCase("content-length")
      || k.equalsIgnoreCase("transfer-encoding"))) {
      h.put("Content-Length", String.valueOf(body.length));
    }
    return exchange(List.of(concat(head(method, target, h), body == null ? new byte[0] : body)), 0);
  }

  /**
   * Writes the pieces one after another with a flush (and {@code pauseMillis}) between them, so
   * that each arrives at the server as a read of its own, then reads the answer.
   */
  public Answer exchange(List<byte[]> pieces, long pauseMillis) {
    try (Socket socket = new Socket(host, port)) {
      socket.setSoTimeout(15_000);
      socket.setTcpNoDelay(true);
      OutputStream out = socket.getOutputStream();
      try {
        for (byte[] piece : pieces) {
          out.write(piece);
          out.flush();
          if (pauseMillis > 0) {
            Thread.sleep(pauseMillis);
          }
        }
      } catch (IOException e) {
        // The server may answer and close before reading everything (413, 431): read what it said.
      }
      return read(socket.getInputStream());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static Answer read(InputStream in) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    try {
      for (int n; (n = in.read(buf)) >= 0; ) {
        all.write(buf, 0, n);
      }
    } catch (java.net.SocketException e) {
      // A reset after the answer was written (the server closed with unread input): keep what came.
    }
    byte[] bytes = all.toByteArray();
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    if (end < 0) {
      return new Answer(-1, Map.of(), bytes);
    }
    String[] lines = text.substring(0, end).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
      }
    }
    byte[] body = java.util.Arrays.copyOfRange(bytes, end + 4, bytes.length);
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      body = unchunk(body);
    }
    return new Answer(status, headers, body);
  }

  private static byte[] unchunk(byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int i = 0;
    while (i < body.length) {
      int lineEnd = indexOf(body, i);
      if (lineEnd < 0) {
        break;
      }
      String sizeLine = new String(body, i, lineEnd - i, StandardCharsets.ISO_8859_1).split(";")[0].trim();
      int size = Integer.parseInt(sizeLine, 16);
      if (size == 0) {
        break;
      }
      out.write(body, lineEnd + 2, Math.min(size, body.length - lineEnd - 2));
      i = lineEnd + 2 + size + 2;
    }
    return out.toByteArray();
  }

  private static int indexOf(byte[] b, int from) {
    for (int i = from; i + 1 < b.length; i++) {
      if (b[i] == '\r' && b[i + 1] == '\n') {
        return i;
      }
    }
    return -1;
  }

  public static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
