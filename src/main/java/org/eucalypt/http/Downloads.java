package org.eucalypt.http;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.eucalypt.storage.BlobStore;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sending a stored file: ETag, conditional GET and single byte ranges (RFC 9110). */
final class Downloads {
  private static final Pattern RANGE = Pattern.compile("^bytes=(\\d*)-(\\d*)$");

  private Downloads() {
  }

  static Future<Void> send(RoutingContext ctx, BlobStore blobs, JsonObject file) {
    HttpServerResponse res = ctx.response();
    long size = file.getLong("size");
    String etag = "\"" + file.getString("checksum") + "\"";
    res.putHeader("ETag", etag)
      .putHeader("Accept-Ranges", "bytes")
      .putHeader("Content-Type", file.getString("mime_type"))
      .putHeader("Cache-Control", "private, max-age=3600");
    if (etag.equals(ctx.request().getHeader("If-None-Match"))) {
      return res.setStatusCode(304).end();
    }
    long start = 0;
    long length = size;
    String range = ctx.request().getHeader("Range");
    String ifRange = ctx.request().getHeader("If-Range");
    if (range != null && (ifRange == null || ifRange.equals(etag))) {
      Matcher m = RANGE.matcher(range.trim());
      // Several ranges or another unit: serve the whole file, as the RFC allows.
      if (m.matches() && !(m.group(1).isEmpty() && m.group(2).isEmpty())) {
        if (m.group(1).isEmpty()) {
          long suffix = Long.parseLong(m.group(2));
          start = Math.max(0, size - suffix);
        } else {
          start = Long.parseLong(m.group(1));
          if (!m.group(2).isEmpty()) {
            long end = Long.parseLong(m.group(2));
            if (end < start) {
              return unsatisfiable(res, size);
            }
            length = Math.min(end, size - 1) - start + 1;
          } else {
            length = size - start;
          }
        }
        if (start >= size || (m.group(1).isEmpty() && Long.parseLong(m.group(2)) == 0)) {
          return unsatisfiable(res, size);
        }
        if (m.group(1).isEmpty()) {
          length = size - start;
        }
        res.setStatusCode(206).putHeader("Content-Range", "bytes " + start + "-" + (start + length - 1) + "/" + size);
      }
    }
    res.putHeader("Content-Length", Long.toString(length));
    if (ctx.request().method() == io.vertx.core.http.HttpMethod.HEAD) {
      return res.end();
    }
    return blobs.send(file.getString("blob_key"), start, length, res);
  }

  private static Future<Void> unsatisfiable(HttpServerResponse res, long size) {
    return res.setStatusCode(416).putHeader("Content-Range", "bytes */" + size)
      .putHeader("Content-Type", "application/json")
      .end("{\"detail\":\"Range not satisfiable\"}");
  }
}
