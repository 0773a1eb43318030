package org.eucalypt.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Path;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What a key may do, checked right after authentication and before validation, as FastAPI's
 * dependencies would. Each operation in openapi.yaml names the action it needs in
 * {@code x-eucalypt-action} ({@code read}, {@code write}, {@code delete},
 * {@code delete_permanently}, or {@code full_access} for managing keys); {@code
 * x-eucalypt-all-libraries} marks what a key scoped to some libraries may not do at all.
 */
final class Permissions {
  static final List<String> ALL_ACTIONS = List.of("read", "write", "delete", "delete_permanently");
  private static final String FULL_ACCESS = "full_access";

  private record Rule(HttpMethod method, Pattern path, String action, boolean allLibraries) {
  }

  private final List<Rule> rules = new ArrayList<>();

  Permissions(OpenAPIContract contract) {
    for (Path path : contract.getPaths()) {
      // {library_id} matches one path segment; a trailing slash is optional, as for the routes.
      String regex = "^" + path.getName().replaceAll("/$", "").replaceAll("\\{[^}]+}", "[^/]+") + "/?$";
      for (Operation op : path.getOperations()) {
        JsonObject model = op.getOpenAPIModel();
        String action = model.getString("x-eucalypt-action");
        if (action != null) {
          rules.add(new Rule(op.getHttpMethod(), Pattern.compile(regex), action,
            model.getBoolean("x-eucalypt-all-libraries", false)));
        }
      }
    }
  }

  void handle(RoutingContext ctx) {
    JsonObject principal = Authentication.principal(ctx);
    if (principal == null) {
      ctx.next();  // no key: ping, or a download its signature vouches for
      return;
    }
    String path = ctx.normalizedPath();
    for (Rule rule : rules) {
      if (rule.method() == ctx.request().method() && rule.path().matcher(path).matches()) {
        String refusal = refusal(principal, rule);
        if (refusal != null) {
          Problems.send(ctx, 403, refusal);
          return;
        }
        break;
      }
    }
    ctx.next();
  }

  private static String refusal(JsonObject principal, Rule rule) {
    JsonArray actions = principal.getJsonArray("actions");
    boolean allLibraries = principal.getJsonArray("library_ids") == null;
    if (FULL_ACCESS.equals(rule.action())) {
      return ALL_ACTIONS.stream().allMatch(actions::contains) && allLibraries
        ? null : "Managing API keys needs a key with every action and access to all libraries";
    }
    if (!actions.contains(rule.action())) {
      return "This API key lacks the '" + rule.action() + "' action";
    }
    if (rule.allLibraries() && !allLibraries) {
      return "This API key is limited to selected libraries and cannot do this";
    }
    return null;
  }
}
