package org.eucalypt.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import org.eucalypt.bus.DomainException;
import org.eucalypt.config.Settings;
import org.eucalypt.db.Database;
import org.eucalypt.db.Reads;

import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Who an API key is. Looked up by the secret's hash: nothing ever compares the secret itself, so
 * timing cannot tell how much of a wrong key was right. Callers are cached per instance
 * ({@link PrincipalCache}), so the hot path costs no database round trip; a change to a key is
 * evicted everywhere before it is answered (AuthVerticle), and the time limit is only a
 * backstop. Keys seen in use are written in batches, so last_used_at stays current without a
 * write per request.
 *
 * <p>One per HTTP verticle and one for the bus door, each used from its own event loop.
 */
public final class Authenticator {
  static final Duration TOUCH_INTERVAL = Duration.ofSeconds(15);

  private final Clock clock;
  private final PrincipalCache cache;
  private final Reads reads;
  private final Pool pool;
  private Set<UUID> usedKeys = new HashSet<>();

  public Authenticator(Vertx vertx, Settings settings, Clock clock) {
    this.clock = clock;
    this.cache = PrincipalCache.of(vertx);
    this.reads = Database.reads(vertx, settings);
    this.pool = Database.pool(vertx, settings);
    vertx.setPeriodic(TOUCH_INTERVAL.toMillis(), id -> reportUsedKeys());
  }

  /** The caller behind a bearer token; UNAUTHENTICATED for an unknown, revoked or inactive key. */
  public Future<Caller> authenticate(String token) {
    byte[] digest = Secrets.hash(token);
    String hash = Base64.getEncoder().encodeToString(digest);
    Caller cached = cache.get(hash);
    if (cached != null) {
      return Future.succeededFuture(used(cached));
    }
    long generation = cache.generation();
    return reads.run(c -> c.preparedQuery(AuthSql.PRINCIPAL)
        .execute(Tuple.of(Buffer.buffer(digest))))
      .compose(rows -> {
        if (rows.size() == 0) {
          return Future.failedFuture(new DomainException(DomainException.Kind.UNAUTHENTICATED, "Not authenticated"));
        }
        Caller caller = caller(rows.iterator().next());
        // Not kept if a key changed while this lookup was in flight: the answer may predate it.
        cache.put(hash, caller, generation);
        return Future.succeededFuture(used(caller));
      });
  }

  private static Caller caller(Row r) {
    Set<UUID> libraries = "selected_libraries".equals(r.getString("library_scope_mode"))
      ? Set.of(r.getArrayOfUUIDs("library_ids")) : null;
    return new Caller(r.getUUID("user_id"), r.getUUID("key_id"), Set.copyOf(List.of(r.getArrayOfStrings("actions"))),
      libraries);
  }

  private Caller used(Caller caller) {
    usedKeys.add(caller.keyId());
    return caller;
  }

  private void reportUsedKeys() {
    if (usedKeys.isEmpty()) {
      return;
    }
    UUID[] keys = usedKeys.toArray(UUID[]::new);
    usedKeys = new HashSet<>();
    OffsetDateTime at = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
    pool.preparedQuery(AuthSql.TOUCH).execute(Tuple.of(keys, at));
  }

  /** The token of an {@code Authorization: Bearer <token>} header, or null. */
  public static String bearerToken(String header) {
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
