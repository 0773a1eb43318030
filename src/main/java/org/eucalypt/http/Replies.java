package org.eucalypt.http;

import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;
import org.eucalypt.auth.LibraryScope;
import org.eucalypt.bus.Bus;

import static io.vertx.ext.web.openapi.router.RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST;

/** The plumbing every handler shares: asking a verticle on the bus and answering in JSON. */
final class Replies {
  private Replies() {
  }

  /** Sends {@code body} plus the caller's {@code user_id} and library scope to {@code address}. */
  static <T> Future<T> ask(EventBus bus, RoutingContext ctx, String address, JsonObject body) {
    JsonObject principal = Authentication.principal(ctx);
    if (principal != null) {
      body.put("user_id", principal.getString("user_id"));
      body.put(LibraryScope.FIELD, principal.getJsonArray("library_ids"));
    }
    return bus.<T>request(address, body, Bus.REQUEST).map(m -> m.body());
  }

  static void json(RoutingContext ctx, int status, Object body) {
    ctx.response()
      .setStatusCode(status)
      .putHeader("content-type", "application/json")
      .end(io.vertx.core.json.Json.encode(body));
  }

  static ValidatedRequest validated(RoutingContext ctx) {
    return ctx.get(KEY_META_DATA_VALIDATED_REQUEST);
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
}
