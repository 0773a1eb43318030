package org.eucalypt.http;

import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Workaround for vertx-openapi's validator decoding query values a second time
 * (eclipse-vertx/vertx-openapi#117 and #124, still in 5.0.10): a value holding a literal {@code %}
 * (sent as {@code %25}) failed the request with a 500, and one holding a {@code +} (sent as
 * {@code %2B}, as in a UTC offset) was validated as a space. Before validation, the values of a
 * query that holds any escape are encoded once more, so the validator's extra decoding gives them
 * back as sent; the originals are put back before the handler runs (and before a failure is
 * answered), so code reading the raw parameters sees what the client sent.
 */
final class QueryDecoding {
  private static final String ORIGINAL = "eucalypt.originalQueryParams";

  private QueryDecoding() {
  }

  /** A root handler, after authentication (which reads the raw signature). */
  static void protect(RoutingContext ctx) {
    String query = ctx.request().query();
    if (query != null && query.indexOf('%') >= 0) {
      MultiMap params = ctx.request().params();
      MultiMap original = MultiMap.caseInsensitiveMultiMap().addAll(params);
      ctx.put(ORIGINAL, original);
      params.clear();
      original.forEach((name, value) -> params.add(name, URLEncoder.encode(value, StandardCharsets.UTF_8)));
    }
    ctx.next();
  }

  /** Puts the parameters back as the client sent them; once validation is done. */
  static void restore(RoutingContext ctx) {
    MultiMap original = ctx.remove(ORIGINAL);
    if (original != null) {
      ctx.request().params().clear().addAll(original);
    }
  }
}
