package org.eucalypt.http;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.eucalypt.asset.AssetServiceImpl.StoredFile;
import org.eucalypt.storage.BlobStore;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sending a stored file: ETag, conditional GET and single byte ranges (RFC 9110). */
final class Downloads {
  private static final Pattern RANGE = Pattern.compile("^bytes=(\\d*)-(\\d*)$");

  private Downloads() {
  }

  static Future<Void> send(RoutingContext ctx, BlobStore blobs, StoredFile file) {
    HttpServerResponse res = ctx.response();
    long size = file.size();
    String etag = "\"" + file.etag() + "\"";
    res.putHeader("ETag", etag)
      .putHeader("Accept-Ranges", "bytes")
      .putHeader("Content-Type", file.mimeType())
      .putHeader("Cache-Control", "private, max-age=3600")
      // Never gzip the bytes (every browser and httpx ask for it): compressing drops Content-Length,
      // makes Content-Range describe bytes the body no longer holds, and photos do not shrink anyway.
      // Vert.x takes "identity" as "leave this response alone" and removes the header itself.
      .putHeader("Content-Encoding", "identity");
    if (etag.equals(ctx.request().getHeader("If-None-Match"))) {
      return res.setStatusCode(304).end();
    }
    long start = 0;
    long length = size;
    String range = ctx.request().getHeader("Range");
    String ifRange = ctx.request().getHeader("If-Range");
    if (range != null && (ifRange == null || ifRange.equals(etag))) {
      long[] wanted = byteRange(range.trim(), size);
      if (wanted == UNSATISFIABLE) {
        return res.setStatusCode(416).putHeader("Content-Range", "bytes */" + size)
          .putHeader("Content-Type", "application/json")
          .end("{\"detail\":\"Range not satisfiable\"}");
      }
      if (wanted != null) {
        start = wanted[0];
        length = wanted[1] - wanted[0] + 1;
        res.setStatusCode(206).putHeader("Content-Range", "bytes " + wanted[0] + "-" + wanted[1] + "/" + size);
      }
    }
    res.putHeader("Content-Length", Long.toString(length));
    if (ctx.request().method() == io.vertx.core.http.HttpMethod.HEAD) {
      return res.end();
    }
    return blobs.send(file.blobKey(), start, length, res);
  }

  private static final long[] UNSATISFIABLE = new long[0];

  /**
   * The first and last byte a single {@code bytes=} range asks for, clamped to the file;
   * {@link #UNSATISFIABLE} when none of the file is in it; null to send the whole file (several
   * ranges or another unit, which the RFC lets a server ignore).
   */
  static long[] byteRange(String header, long size) {
    Matcher m = RANGE.matcher(header);
    if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
      return null;
    }
    long first;
    long last;
    if (m.group(1).isEmpty()) {
      long suffix = position(m.group(2));
      first = Math.max(0, size - suffix);
      last = size - 1;
      if (suffix == 0) {
        return UNSATISFIABLE;
      }
    } else {
      first = position(m.group(1));
      last = m.group(2).isEmpty() ? size - 1 : Math.min(position(m.group(2)), size - 1);
      if (!m.group(2).isEmpty() && position(m.group(2)) < first) {
        return UNSATISFIABLE;
      }
    }
    return first >= size ? UNSATISFIABLE : new long[] {first, last};
  }

  /**
   * A byte position of a Range header. Digits only (the pattern made sure), but maybe more than a
   * long holds: such a position is past any file, so it saturates instead of failing with a 500.
   */
  private static long position(String digits) {
    try {
      return Long.parseLong(digits);
    } catch (NumberFormatException tooBig) {
      return Long.MAX_VALUE;
    }
  }
}
