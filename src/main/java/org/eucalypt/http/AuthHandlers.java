package org.eucalypt.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.eucalypt.auth.ApiKeyChanges;
import org.eucalypt.auth.AuthService;

import static org.eucalypt.http.Replies.answer;
import static org.eucalypt.http.Replies.bodyLoc;
import static org.eucalypt.http.Replies.caller;
import static org.eucalypt.http.Replies.path;

/** The caller and their API keys, named after their operationIds in openapi.yaml. */
final class AuthHandlers {
  private final AuthService auth;

  AuthHandlers(AuthService auth) {
    this.auth = auth;
  }

  void getCurrentUser(RoutingContext ctx) {
    answer(ctx, 200, auth.getCurrentUser(caller(ctx)));
  }

  /** The rules the schema cannot say: read goes with any broader action; library_ids with the scope. */
  void createApiKey(RoutingContext ctx) {
    JsonObject body = Replies.body(ctx);
    JsonArray actions = body.getJsonArray("actions");
    String mode = body.getString("library_scope_mode", "all_libraries");
    JsonArray libraryIds = body.getJsonArray("library_ids");
    if (!actions.contains("read")) {
      throw new Replies.InvalidParameter(Problems.invalid(bodyLoc("actions"),
        "Value error, 'read' is required when any other action is given", "value_error", actions));
    }
    if ("selected_libraries".equals(mode) && libraryIds == null) {
      throw new Replies.InvalidParameter(Problems.invalid(bodyLoc("library_ids"),
        "Field required when library_scope_mode is 'selected_libraries'", "missing", body));
    }
    if ("all_libraries".equals(mode) && libraryIds != null) {
      throw new Replies.InvalidParameter(Problems.invalid(bodyLoc("library_ids"),
        "Value error, library_ids is only for library_scope_mode 'selected_libraries'", "value_error", libraryIds));
    }
    answer(ctx, 201, auth.createApiKey(caller(ctx), new ApiKeyChanges(body)));
  }

  void listApiKeys(RoutingContext ctx) {
    answer(ctx, 200, auth.listApiKeys(caller(ctx)));
  }

  void updateApiKey(RoutingContext ctx) {
    answer(ctx, 200, auth.updateApiKey(caller(ctx), path(ctx, "key_id"), new ApiKeyChanges(Replies.body(ctx))));
  }

  void deleteApiKey(RoutingContext ctx) {
    answer(ctx, 200, auth.deleteApiKey(caller(ctx), path(ctx, "key_id")));
  }
}
