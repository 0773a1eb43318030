package org.eucalypt.auth;

import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Path;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a key may do. Each operation in openapi.yaml names the action it needs in
 * {@code x-eucalypt-action} ({@code read}, {@code write}, {@code delete},
 * {@code delete_permanently}, or {@code full_access} for managing keys); {@code
 * x-eucalypt-all-libraries} marks what a key scoped to some libraries may not do at all. Both
 * doors check it by operationId: HTTP after authentication and before validation, as FastAPI's
 * dependencies would; the event bus before the service method runs.
 */
public final class Permissions {
  public static final List<String> ALL_ACTIONS = List.of("read", "write", "delete", "delete_permanently");
  private static final String FULL_ACCESS = "full_access";

  private record Rule(String action, boolean allLibraries) {
  }

  private final Map<String, Rule> byOperation = new HashMap<>();

  public Permissions(OpenAPIContract contract) {
    for (Path path : contract.getPaths()) {
      for (Operation op : path.getOperations()) {
        JsonObject model = op.getOpenAPIModel();
        String action = model.getString("x-eucalypt-action");
        if (action != null) {
          byOperation.put(op.getOperationId(), new Rule(action, model.getBoolean("x-eucalypt-all-libraries", false)));
        }
      }
    }
  }

  /** Whether the contract names this operation with an action at all. */
  public boolean knows(String operationId) {
    return byOperation.containsKey(operationId);
  }

  /** Why {@code caller} may not run {@code operationId}, or null when it may. */
  public String refusal(Caller caller, String operationId) {
    Rule rule = byOperation.get(operationId);
    if (rule == null) {
      return null;
    }
    if (FULL_ACCESS.equals(rule.action())) {
      return caller.actions().containsAll(ALL_ACTIONS) && caller.allLibraries()
        ? null : "Managing API keys needs a key with every action and access to all libraries";
    }
    if (!caller.actions().contains(rule.action())) {
      return "This API key lacks the '" + rule.action() + "' action";
    }
    if (rule.allLibraries() && !caller.allLibraries()) {
      return "This API key is limited to selected libraries and cannot do this";
    }
    return null;
  }
}
