package org.eucalypt.bus;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceInterceptor;
import org.eucalypt.auth.Authenticator;
import org.eucalypt.auth.Permissions;

import java.util.Map;

/**
 * The event bus's door to the lifecycle services, for other services: every call carries an API
 * key in its {@code authorization} header ({@code Bearer eu_...}), and gets exactly what the same
 * key gets over HTTP. The door authenticates the key, checks the action and library scope that
 * openapi.yaml names for the operation (a service method is named after its operationId), and
 * then puts the key's own caller into the call, replacing whatever caller the message carried:
 * a peer can never speak for another user.
 */
public final class BusDoor implements ServiceInterceptor {
  /** The header the key travels in, as over HTTP. */
  public static final String AUTHORIZATION = "authorization";

  private final Authenticator authenticator;
  private final Permissions permissions;

  public BusDoor(Authenticator authenticator, Permissions permissions) {
    this.authenticator = authenticator;
    this.permissions = permissions;
  }

  @Override
  public Future<Message<JsonObject>> intercept(Vertx vertx, Map<String, Object> context, Message<JsonObject> msg) {
    String operationId = operationId(msg.headers().get("action"));
    if (!permissions.knows(operationId)) {
      return Future.failedFuture(new DomainException(DomainException.Kind.NOT_FOUND,
        "No operation " + operationId + " is served on the event bus"));
    }
    String token = Authenticator.bearerToken(msg.headers().get(AUTHORIZATION));
    if (token == null) {
      return Future.failedFuture(new DomainException(DomainException.Kind.UNAUTHENTICATED, "Not authenticated"));
    }
    // A database out of reach while the key is looked up is UNAVAILABLE here too, as in the service.
    return authenticator.authenticate(token)
      .recover(e -> Future.failedFuture(DatabaseFailures.inDomainTerms(e)))
      .compose(caller -> {
        String refusal = permissions.refusal(caller, operationId);
        if (refusal != null) {
          return Future.failedFuture(new DomainException(DomainException.Kind.FORBIDDEN, refusal));
        }
        msg.body().put("caller", caller.toJson());
        return Future.succeededFuture(msg);
      });
  }

  /** {@code trashLibrary} -> {@code trash_library}. */
  static String operationId(String method) {
    if (method == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(method.length() + 4);
    for (char c : method.toCharArray()) {
      if (Character.isUpperCase(c)) {
        out.append('_').append(Character.toLowerCase(c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
