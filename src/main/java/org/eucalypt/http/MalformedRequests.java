package org.eucalypt.http;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Requests too broken to reach a handler: an HTTP head Netty could not parse (too long a request
 * line or header block), a URL with bad percent-encoding, a multipart body UploadForm rejects.
 * Each is the client's fault, so each answers a 4xx in FastAPI's shape, never a 5xx or an empty
 * body.
 */
final class MalformedRequests {
  private MalformedRequests() {
  }

  /**
   * The server's handler for requests Netty failed to decode, in place of Vert.x's default, which
   * answers 414 and 431 with an empty body and closes on anything else without a word.
   */
  static void refuseUnparsed(HttpServerRequest request) {
    DecoderResult result = request.decoderResult();
    Throwable cause = result == null ? null : result.cause();
    int status;
    String detail;
    if (cause instanceof TooLongHttpLineException) {
      status = 414;
      detail = "Request line too long";
    } else if (cause instanceof TooLongHttpHeaderException) {
      status = 431;
      detail = "Request header fields too large";
    } else {
      status = 400;
      detail = "Malformed HTTP request";
    }
    request.response()
      .setStatusCode(status)
      .putHeader("content-type", "application/json")
      .putHeader("connection", "close")
      .end(new JsonObject().put("detail", detail).encode());
  }

  /**
   * Refuses a URL with a {@code %} not followed by two hex digits: Vert.x decodes parameters
   * lazily and throws deep inside whichever handler reads one first, which used to answer 500.
   */
  static void checkUrl(RoutingContext ctx) {
    String uri = ctx.request().uri();
    for (int i = uri.indexOf('%'); i >= 0; i = uri.indexOf('%', i + 1)) {
      if (i + 2 >= uri.length() || Character.digit(uri.charAt(i + 1), 16) < 0 || Character.digit(uri.charAt(i + 2), 16) < 0) {
        Problems.send(ctx, 400, "Malformed URL: bad percent-encoding");
        return;
      }
    }
    ctx.next();
  }

  /** A multipart body found malformed by eucalypt itself. */
  static final class MalformedBody extends RuntimeException {
    MalformedBody(String message) {
      super(message, null, false, false);
    }
  }

  /** A {@link MalformedBody} anywhere in the chain: the client's fault. */
  static boolean isMalformedMultipart(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof MalformedBody) {
        return true;
      }
    }
    return false;
  }

  /**
   * The boundary of a {@code multipart/form-data} content type (Jetty's reading of its
   * parameters, quoted or not), or null when it has none that RFC 2046 allows (1 to 70 characters).
   */
  static String boundary(String contentType) {
    String b = org.eclipse.jetty.http.MultiPart.extractBoundary(contentType);
    return b == null || b.isEmpty() || b.length() > 70 ? null : b;
  }
}
