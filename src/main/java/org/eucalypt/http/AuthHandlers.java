package org.eucalypt.http;

import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.eucalypt.auth.AuthVerticle;
import org.eucalypt.id.Ids;

import java.util.Optional;
import java.util.UUID;

/** The caller and their API keys, named after their operationIds in openapi.yaml. */
final class AuthHandlers {
  private final EventBus bus;

  AuthHandlers(EventBus bus) {
    this.bus = bus;
  }

  void getCurrentUser(RoutingContext ctx) {
    Replies.ask(bus, ctx, AuthVerticle.ME, new JsonObject())
      .onSuccess(user -> Replies.json(ctx, 200, user))
      .onFailure(ctx::fail);
  }

  /** The rules the schema cannot say: read goes with any broader action; library_ids with the scope. */
  void createApiKey(RoutingContext ctx) {
    JsonObject body = Replies.validated(ctx).getBody().getJsonObject();
    JsonArray actions = body.getJsonArray("actions");
    String mode = body.getString("library_scope_mode", "all_libraries");
    JsonArray libraryIds = body.getJsonArray("library_ids");
    if (!actions.contains("read")) {
      Problems.unprocessable(ctx, Problems.invalid(bodyLoc("actions"),
        "Value error, 'read' is required when any other action is given", "value_error", actions));
      return;
    }
    if ("selected_libraries".equals(mode) && libraryIds == null) {
      Problems.unprocessable(ctx, Problems.invalid(bodyLoc("library_ids"),
        "Field required when library_scope_mode is 'selected_libraries'", "missing", body));
      return;
    }
    if ("all_libraries".equals(mode) && libraryIds != null) {
      Problems.unprocessable(ctx, Problems.invalid(bodyLoc("library_ids"),
        "Value error, library_ids is only for library_scope_mode 'selected_libraries'", "value_error", libraryIds));
      return;
    }
    JsonArray libraries = new JsonArray();
    if (libraryIds != null) {
      for (Object id : libraryIds) {
        Optional<UUID> uuid = Ids.LIBRARY.parse(String.valueOf(id));
        if (uuid.isEmpty()) {
          Problems.send(ctx, 404, "Not found");
          return;
        }
        libraries.add(uuid.get().toString());
      }
    }
    Replies.ask(bus, ctx, AuthVerticle.CREATE_KEY, new JsonObject()
        .put("name", body.getString("name"))
        .put("actions", actions)
        .put("library_scope_mode", mode)
        .put("library_ids", libraries))
      .onSuccess(key -> Replies.json(ctx, 201, key))
      .onFailure(ctx::fail);
  }

  void listApiKeys(RoutingContext ctx) {
    Replies.ask(bus, ctx, AuthVerticle.LIST_KEYS, new JsonObject())
      .onSuccess(keys -> Replies.json(ctx, 200, keys))
      .onFailure(ctx::fail);
  }

  void updateApiKey(RoutingContext ctx) {
    JsonObject body = Replies.validated(ctx).getBody().getJsonObject();
    JsonObject changes = new JsonObject();
    for (String field : new String[] {"name", "is_active"}) {
      if (body.containsKey(field)) {
        changes.put(field, body.getValue(field));
      }
    }
    onKey(ctx, AuthVerticle.UPDATE_KEY, new JsonObject().put("changes", changes));
  }

  void deleteApiKey(RoutingContext ctx) {
    onKey(ctx, AuthVerticle.DELETE_KEY, new JsonObject());
  }

  private void onKey(RoutingContext ctx, String address, JsonObject request) {
    Optional<UUID> id = Ids.API_KEY.parse(Replies.path(ctx, "key_id"));
    if (id.isEmpty()) {
      Problems.send(ctx, 404, "Not found");
      return;
    }
    Replies.ask(bus, ctx, address, request.put("key_id", id.get().toString()))
      .onSuccess(answer -> Replies.json(ctx, 200, answer))
      .onFailure(ctx::fail);
  }

  private static JsonArray bodyLoc(String field) {
    return new JsonArray().add("body").add(field);
  }
}
