package org.eucalypt.http;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;
import org.eucalypt.asset.WallClock;
import org.eucalypt.auth.Caller;
import org.eucalypt.bus.Json;
import org.eucalypt.id.Ids;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;


/**
 * What every handler needs, in one place: the caller, the validated parameters (ids, times,
 * lists, page sizes, each refused with FastAPI's 422 location when it cannot be read), and
 * answering a service's future in JSON. A handler may throw {@link InvalidParameter} or a
 * domain failure: the router hands it to {@link Problems#handleFailure}.
 */
final class Replies {
  private Replies() {
  }

  static Caller caller(RoutingContext ctx) {
    return Authentication.caller(ctx);
  }

  /** Answers the service's result with {@code status}; a void result answers {@code {}}. */
  static void answer(RoutingContext ctx, int status, Future<?> result) {
    // One listener, not onSuccess and onFailure: a second one makes every future keep a list.
    result.onComplete(value -> json(ctx, status, value), ctx::fail);
  }

  static void json(RoutingContext ctx, int status, Object body) {
    ctx.response()
      .setStatusCode(status)
      .putHeader("content-type", "application/json")
      .end(io.vertx.core.json.Json.encodeToBuffer(encode(body)));
  }

  /** A data object, a list of them, or JSON; null (a void operation) is {@code {}}. */
  private static Object encode(Object body) {
    if (body == null) {
      return new JsonObject();
    }
    if (body instanceof Json.Shape shape) {
      return shape.toJson();
    }
    if (body instanceof List<?> list) {
      JsonArray out = new JsonArray(new ArrayList<>(list.size()));
      list.forEach(item -> out.add(item instanceof Json.Shape s ? s.toJson() : item));
      return out;
    }
    return body;
  }

  static ValidatedRequest validated(RoutingContext ctx) {
    return Operations.validated(ctx);
  }

  static JsonObject body(RoutingContext ctx) {
    return validated(ctx).getBody().getJsonObject();
  }

  /** A validated query parameter as a string, or null when absent. */
  static String query(RoutingContext ctx, String name) {
    RequestParameter p = validated(ctx).getQuery().get(name);
    return p == null || p.isNull() ? null : String.valueOf(p.get());
  }

  static String path(RoutingContext ctx, String name) {
    RequestParameter p = validated(ctx).getPathParameters().get(name);
    return p == null || p.isNull() ? null : String.valueOf(p.get());
  }

  /** A validated integer query parameter (the schema bounds it), or {@code otherwise}. */
  static int integer(RoutingContext ctx, String name, int otherwise) {
    String v = query(ctx, name);
    return v == null ? otherwise : Integer.parseInt(v);
  }

  /** An array query parameter, given as repeated keys or comma-separated, or both; null when absent. */
  static List<String> list(RoutingContext ctx, String name) {
    RequestParameter p = validated(ctx).getQuery().get(name);
    if (p == null || p.isNull()) {
      return null;
    }
    List<String> out = new ArrayList<>();
    Object v = p.get();
    Iterable<?> items = v instanceof JsonArray a ? a : List.of(v);
    for (Object item : items) {
      for (String s : String.valueOf(item).split(",")) {
        if (!s.isBlank()) {
          out.add(s.trim());
        }
      }
    }
    return out;
  }

  /** A query parameter naming an asset as a cursor: a malformed one is a 422 at its location. */
  static String assetCursor(RoutingContext ctx, String name) {
    String cursor = query(ctx, name);
    if (cursor != null && Ids.ASSET.parse(cursor).isEmpty()) {
      throw new InvalidParameter(Problems.invalid(queryLoc(name), "Invalid asset id", "value_error", cursor));
    }
    return cursor;
  }

  /**
   * A time query parameter as ISO 8601 with an offset (none: UTC), or null. Read once-decoded
   * from the request: the validated copy is URL-decoded a second time by vertx-openapi, which
   * turns the "+" of an offset ("%2B02:00", as the SDKs send it) into a space.
   */
  static String time(RoutingContext ctx, String name) {
    WallClock t = timeParameter(ctx, name);
    return t == null ? null : t.instant().toString();
  }

  /**
   * A capture-time query parameter ({@code local_datetime_*}) as ISO 8601, naive when given
   * without an offset (Gumnut compares those with the wall clock), or null. Read like {@link #time}.
   */
  static String localTime(RoutingContext ctx, String name) {
    WallClock t = timeParameter(ctx, name);
    return t == null ? null : t.format();
  }

  private static WallClock timeParameter(RoutingContext ctx, String name) {
    String v = ctx.request().getParam(name);
    if (v == null) {
      return null;
    }
    WallClock t = WallClock.parse(v);
    if (t == null) {
      throw new InvalidParameter(Problems.invalid(queryLoc(name), "Input should be a valid datetime",
        "datetime_from_date_parsing", v));
    }
    return t;
  }

  /** ISO 8601 with an offset, {@code Z}, or none (taken as UTC), as the SDKs send them. */
  static OffsetDateTime parseTime(String value) {
    WallClock t = WallClock.parse(value);
    return t == null ? null : t.instant();
  }

  static JsonArray queryLoc(String field) {
    return new JsonArray().add("query").add(field);
  }

  static JsonArray bodyLoc(String field) {
    return new JsonArray().add("body").add(field);
  }

  /** A request parameter the schema let through but the operation cannot read: FastAPI's 422. */
  static final class InvalidParameter extends RuntimeException {
    final JsonObject error;

    InvalidParameter(JsonObject error) {
      super(error.getString("msg"), null, false, false);
      this.error = error;
    }
  }
}
