package org.eucalypt.http;

import io.vertx.ext.web.RoutingContext;
import org.eucalypt.auth.Authenticator;
import org.eucalypt.auth.Caller;
import org.eucalypt.auth.Permissions;
import org.eucalypt.bus.DomainException;

import java.util.regex.Pattern;

/**
 * Runs before validation, as FastAPI's security dependency does: every {@code /api} path but
 * ping needs {@code Authorization: Bearer <key>}; a signed download URL stands in for the key.
 * Then the key's permissions for the operation RouteGuard found, by the contract's own lookup.
 * The caller is left on the context for the handlers.
 */
final class Authentication {
  private static final String CALLER = "eucalypt.caller";
  /** The files a signed URL grants: an asset's original and its renditions. */
  private static final Pattern DOWNLOAD = Pattern.compile("^/api/assets/([^/]+)/(?:original|variants/[^/]+)/?$");

  private final Authenticator authenticator;
  private final UrlSigner signer;
  private final Permissions permissions;

  Authentication(Authenticator authenticator, UrlSigner signer, Permissions permissions) {
    this.authenticator = authenticator;
    this.signer = signer;
    this.permissions = permissions;
  }

  void handle(RoutingContext ctx) {
    String path = ctx.normalizedPath();
    if (!path.startsWith("/api/") || path.equals("/api/server/ping") || path.equals("/api/server/ping/")) {
      ctx.next();
      return;
    }
    if (path.startsWith("/api/assets/")) {
      var download = DOWNLOAD.matcher(path);
      if (download.matches() && signer.verify(download.group(1),
        ctx.request().getParam("expires"), ctx.request().getParam("signature"))) {
        ctx.next();
        return;
      }
    }
    String token = Authenticator.bearerToken(ctx.request().getHeader("Authorization"));
    if (token == null) {
      refuse(ctx);
      return;
    }
    authenticator.authenticate(token).onComplete(caller -> admit(ctx, caller), e -> {
      if (DomainException.kindOf(e) == DomainException.Kind.UNAUTHENTICATED) {
        refuse(ctx);
      } else {
        ctx.fail(e);
      }
    });
  }

  private void admit(RoutingContext ctx, Caller caller) {
    ctx.put(CALLER, caller);
    // RouteGuard found the operation; none (a path no operation serves) needs no permission.
    String operationId = ctx.get(RouteGuard.OPERATION);
    String refusal = operationId == null ? null : permissions.refusal(caller, operationId);
    if (refusal != null) {
      Problems.send(ctx, 403, refusal);
      return;
    }
    ctx.next();
  }

  static Caller caller(RoutingContext ctx) {
    return ctx.get(CALLER);
  }

  private static void refuse(RoutingContext ctx) {
    ctx.response().putHeader("WWW-Authenticate", "Bearer");
    Problems.send(ctx, 401, "Not authenticated");
  }
}
