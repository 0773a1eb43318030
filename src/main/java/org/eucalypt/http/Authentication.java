package org.eucalypt.http;

import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.eucalypt.auth.AuthVerticle;
import org.eucalypt.auth.Secrets;
import org.eucalypt.bus.Bus;

import java.util.Base64;
import java.util.regex.Pattern;

/**
 * Runs before validation, as FastAPI's security dependency does: every {@code /api} path but
 * ping needs {@code Authorization: Bearer <key>}; a signed download URL stands in for the key.
 * The caller's principal is left on the context for the handlers.
 */
final class Authentication {
  static final String PRINCIPAL = "eucalypt.principal";
  private static final Pattern DOWNLOAD = Pattern.compile("^/api/assets/([^/]+)/original/?$");

  private final EventBus bus;
  private final UrlSigner signer;

  Authentication(EventBus bus, UrlSigner signer) {
    this.bus = bus;
    this.signer = signer;
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
    String token = bearerToken(ctx.request().getHeader("Authorization"));
    if (token == null) {
      refuse(ctx);
      return;
    }
    String hash = Base64.getEncoder().encodeToString(Secrets.hash(token));
    bus.<JsonObject>request(AuthVerticle.AUTHENTICATE, new JsonObject().put("secret_sha256", hash), Bus.REQUEST)
      .onSuccess(reply -> {
        ctx.put(PRINCIPAL, reply.body());
        ctx.next();
      })
      .onFailure(e -> {
        if (e instanceof io.vertx.core.eventbus.ReplyException re && re.failureCode() == 401) {
          refuse(ctx);
        } else {
          ctx.fail(e);
        }
      });
  }

  static JsonObject principal(RoutingContext ctx) {
    return ctx.get(PRINCIPAL);
  }

  private static void refuse(RoutingContext ctx) {
    ctx.response().putHeader("WWW-Authenticate", "Bearer");
    Problems.send(ctx, 401, "Not authenticated");
  }

  static String bearerToken(String header) {
    if (header == null) {
      return null;
    }
    String h = header.trim();
    if (h.length() < 7 || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String token = h.substring(7).trim();
    return token.isEmpty() ? null : token;
  }
}
