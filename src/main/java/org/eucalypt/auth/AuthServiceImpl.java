package org.eucalypt.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import org.eucalypt.bus.DomainException;
import org.eucalypt.config.Settings;
import org.eucalypt.db.Database;
import org.eucalypt.db.Reads;
import org.eucalypt.id.Ids;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** {@link AuthService} on PostgreSQL. */
public final class AuthServiceImpl implements AuthService {
  private final Vertx vertx;
  private final Settings settings;
  private final Pool pool;
  private final Reads reads;

  public AuthServiceImpl(Vertx vertx, Settings settings) {
    this.vertx = vertx;
    this.settings = settings;
    this.pool = Database.pool(vertx, settings);
    this.reads = Database.reads(vertx, settings);
  }

  @Override
  public Future<User> getCurrentUser(Caller caller) {
    return reads.run(c -> c.preparedQuery(AuthSql.ME)
        .execute(Tuple.of(caller.userId(), settings.userStorageLimit())))
      .compose(rows -> rows.size() == 0
        ? Future.failedFuture(new DomainException(DomainException.Kind.UNAUTHENTICATED, "Not authenticated"))
        : Future.succeededFuture(User.of(rows.iterator().next())));
  }

  @Override
  public Future<ApiKey> createApiKey(Caller caller, ApiKeyChanges body) {
    List<UUID> named = new ArrayList<>();
    for (String id : body.libraryIds() == null ? List.<String>of() : body.libraryIds()) {
      UUID uuid = Ids.LIBRARY.parse(id).orElse(null);
      if (uuid == null) {
        return Future.failedFuture(DomainException.notFound());
      }
      named.add(uuid);
    }
    UUID[] libraries = named.stream().distinct().toArray(UUID[]::new);
    String[] actions = body.actions().stream().distinct().toArray(String[]::new);
    UUID key = Ids.newUuid();
    String secret = Secrets.newSecret();
    return pool.withTransaction(tx -> tx.preparedQuery(AuthSql.OWN_LIVE_LIBRARIES)
      .execute(Tuple.of(caller.userId(), (Object) libraries))
      .compose(own -> own.size() != libraries.length
        ? Future.failedFuture(DomainException.notFound())
        : tx.preparedQuery(AuthSql.INSERT_KEY).execute(Tuple.of(key, caller.userId(), body.name(),
          Buffer.buffer(Secrets.hash(secret)), actions, body.libraryScopeMode())))
      .compose(inserted -> {
        ApiKey created = ApiKey.of(inserted.iterator().next());
        Future<?> scoped = libraries.length == 0 ? Future.succeededFuture()
          : tx.preparedQuery(AuthSql.SCOPE_KEY).execute(Tuple.of(key, (Object) libraries));
        return scoped.map(v -> created.withSecret(secret, libraries.length == 0 ? null : (long) libraries.length));
      }));
  }

  @Override
  public Future<List<ApiKey>> listApiKeys(Caller caller) {
    return reads.run(c -> c.preparedQuery(AuthSql.LIST_KEYS).execute(Tuple.of(caller.userId())))
      .map(rows -> {
        List<ApiKey> out = new ArrayList<>(rows.size());
        rows.forEach(r -> out.add(ApiKey.of(r)));
        return out;
      });
  }

  @Override
  public Future<ApiKey> updateApiKey(Caller caller, String keyId, ApiKeyChanges changes) {
    UUID key = Ids.API_KEY.parse(keyId).orElse(null);
    if (key == null) {
      return Future.failedFuture(DomainException.notFound());
    }
    return pool.withTransaction(tx -> tx.preparedQuery(AuthSql.UPDATE_KEY).execute(Tuple.of(key, caller.userId(),
          changes.hasName(), changes.name(), changes.hasIsActive(), changes.isActive()))
        .compose(rows -> rows.size() == 0
          ? Future.failedFuture(DomainException.notFound())
          : announce(tx, key).map(v -> ApiKey.of(rows.iterator().next()))))
      .compose(updated -> AuthVerticle.evictEverywhere(vertx, key).map(updated));
  }

  @Override
  public Future<Void> deleteApiKey(Caller caller, String keyId) {
    UUID key = Ids.API_KEY.parse(keyId).orElse(null);
    if (key == null) {
      return Future.failedFuture(DomainException.notFound());
    }
    return pool.withTransaction(tx -> tx.preparedQuery(AuthSql.DELETE_KEY).execute(Tuple.of(key, caller.userId()))
        .compose(rows -> rows.size() == 0 ? Future.<Void>failedFuture(DomainException.notFound()) : announce(tx, key)))
      .compose(v -> AuthVerticle.evictEverywhere(vertx, key));
  }

  /** Tells instances outside the cluster, at commit, to forget the key (AuthVerticle listens). */
  private static Future<Void> announce(SqlClient tx, UUID key) {
    return tx.preparedQuery(AuthSql.NOTIFY_KEY_CHANGED).execute(Tuple.of(key.toString())).mapEmpty();
  }
}
