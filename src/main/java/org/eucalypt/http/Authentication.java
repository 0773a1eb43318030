package org.eucalypt.http;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.eucalypt.auth.AuthVerticle;
import org.eucalypt.auth.PrincipalCache;
import org.eucalypt.auth.Secrets;
import org.eucalypt.bus.Bus;

import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Runs before validation, as FastAPI's security dependency does: every {@code /api} path but
 * ping needs {@code Authorization: Bearer <key>}; a signed download URL stands in for the key.
 * The caller's principal is left on the context for the handlers.
 *
 * <p>Principals are cached per instance ({@link PrincipalCache}), so the hot path costs no
 * database round trip. A change to a key is evicted on every member of the cluster before the
 * change is answered ({@link AuthVerticle}), and PostgreSQL's NOTIFY evicts it on instances
 * outside the cluster; the time limit is only a backstop. Keys seen in use are reported in
 * batches, so last_used_at stays current without a write per request.
 */
final class Authentication {
  static final String PRINCIPAL = "eucalypt.principal";
  private static final Pattern DOWNLOAD = Pattern.compile("^/api/assets/([^/]+)/original/?$");
  static final Duration TOUCH_INTERVAL = Duration.ofSeconds(15);

  private final Vertx vertx;
  private final UrlSigner signer;
  private final Clock clock;
  private final PrincipalCache cache;
  private Set<String> usedKeys = new HashSet<>();

  /** Called on the HTTP verticle's event loop; so are all the handlers below. */
  Authentication(Vertx vertx, UrlSigner signer, Clock clock) {
    this.vertx = vertx;
    this.signer = signer;
    this.clock = clock;
    this.cache = PrincipalCache.of(vertx);
    vertx.setPeriodic(TOUCH_INTERVAL.toMillis(), id -> reportUsedKeys());
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
    // Looked up by hash: nothing ever compares the secret itself, so timing cannot tell how much
    // of a wrong key was right.
    String hash = Base64.getEncoder().encodeToString(Secrets.hash(token));
    JsonObject cached = cache.get(hash);
    if (cached != null) {
      admit(ctx, cached);
      return;
    }
    long generation = cache.generation();
    vertx.eventBus().<JsonObject>request(AuthVerticle.AUTHENTICATE, new JsonObject().put("secret_sha256", hash),
        Bus.REQUEST)
      .onSuccess(reply -> {
        // Not kept if a key changed while this lookup was in flight: the answer may predate it.
        cache.put(hash, reply.body(), generation);
        admit(ctx, reply.body());
      })
      .onFailure(e -> {
        if (e instanceof ReplyException re && re.failureCode() == 401) {
          refuse(ctx);
        } else {
          ctx.fail(e);
        }
      });
  }

  private void admit(RoutingContext ctx, JsonObject principal) {
    usedKeys.add(principal.getString("key_id"));
    ctx.put(PRINCIPAL, principal);
    ctx.next();
  }

  private void reportUsedKeys() {
    if (usedKeys.isEmpty()) {
      return;
    }
    JsonArray keys = new JsonArray(usedKeys.stream().map(Object.class::cast).toList());
    usedKeys = new HashSet<>();
    String at = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC).toString();
    vertx.eventBus().request(AuthVerticle.TOUCH, new JsonObject().put("key_ids", keys).put("at", at), Bus.REQUEST);
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
