package org.eucalypt.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import org.eucalypt.auth.Authenticator;
import org.eucalypt.auth.Caller;
import org.eucalypt.auth.Permissions;
import org.eucalypt.bus.DomainException;

import java.util.regex.Pattern;

/**
 * Runs before validation, as FastAPI's security dependency does: every {@code /api} path but
 * ping needs {@code Authorization: Bearer <key>}; a signed download URL stands in for the key.
 * Then the key's permissions for the operation, found by the contract's own lookup. The caller
 * is left on the context for the handlers.
 */
final class Authentication {
  private static final String CALLER = "eucalypt.caller";
  private static final Pattern DOWNLOAD = Pattern.compile("^/api/assets/([^/]+)/original/?$");

  private final Authenticator authenticator;
  private final UrlSigner signer;
  private final OpenAPIContract contract;
  private final Permissions permissions;

  Authentication(Authenticator authenticator, UrlSigner signer, OpenAPIContract contract, Permissions permissions) {
    this.authenticator = authenticator;
    this.signer = signer;
    this.contract = contract;
    this.permissions = permissions;
  }

  void handle(RoutingContext ctx) {
    String path = ctx.normalizedPath();
    if (!path.startsWith("/api/") || path.equals("/api/server/ping") || path.equals("/api/server/ping/")) {
      ctx.next();
      return;
    }
    var download = DOWNLOAD.matcher(path);
    if (download.matches() && signer.verify(download.group(1),
      ctx.request().getParam("expires"), ctx.request().getParam("signature"))) {
      ctx.next();
      return;
    }
    String token = Authenticator.bearerToken(ctx.request().getHeader("Authorization"));
    if (token == null) {
      refuse(ctx);
      return;
    }
    authenticator.authenticate(token)
      .onSuccess(caller -> admit(ctx, caller))
      .onFailure(e -> {
        if (DomainException.kindOf(e) == DomainException.Kind.UNAUTHENTICATED) {
          refuse(ctx);
        } else {
          ctx.fail(e);
        }
      });
  }

  private void admit(RoutingContext ctx, Caller caller) {
    ctx.put(CALLER, caller);
    String refusal = permissions.refusal(caller, operationId(ctx));
    if (refusal != null) {
      Problems.send(ctx, 403, refusal);
      return;
    }
    ctx.next();
  }

  /**
   * The operation the request is for, by the contract's own path matching; "" for none. The
   * routes take a trailing slash or none, whichever openapi.yaml spells, so both are tried.
   */
  private String operationId(RoutingContext ctx) {
    String path = ctx.normalizedPath();
    HttpMethod method = ctx.request().method();
    Operation op = contract.findOperation(path, method);
    if (op == null) {
      String other = path.endsWith("/") ? path.substring(0, path.length() - 1) : path + "/";
      op = contract.findOperation(other, method);
    }
    return op == null ? "" : op.getOperationId();
  }

  static Caller caller(RoutingContext ctx) {
    return ctx.get(CALLER);
  }

  private static void refuse(RoutingContext ctx) {
    ctx.response().putHeader("WWW-Authenticate", "Bearer");
    Problems.send(ctx, 401, "Not authenticated");
  }
}
