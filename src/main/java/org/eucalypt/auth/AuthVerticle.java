package org.eucalypt.auth;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import org.eucalypt.bus.Bus;
import org.eucalypt.cluster.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.eucalypt.bus.Failure;
import org.eucalypt.bus.Json;
import org.eucalypt.config.DatabaseUrl;
import org.eucalypt.config.Settings;
import org.eucalypt.db.Database;
import org.eucalypt.id.Ids;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Users and API keys: who a key is, and managing keys.
 *
 * <p>A change to a key (revoked, deactivated, renamed) must hold on the very next request,
 * whichever instance it reaches. So once the change commits, and before it is answered, every
 * member of the cluster is asked to evict the key from its {@link PrincipalCache}, at an address
 * only that member serves ({@link #EVICT} + its node id), and the answer waits for all of them to
 * acknowledge (at most {@link #EVICT_TIMEOUT_MS}: a member that cannot answer is dead or cut off,
 * and its NOTIFY and the cache's time limit are the backstop). The change is also announced with
 * PostgreSQL's NOTIFY in the transaction that makes it, for instances outside the cluster.
 */
public class AuthVerticle extends VerticleBase {
  public static final String AUTHENTICATE = "auth.authenticate";
  public static final String ME = "auth.users.me";
  public static final String CREATE_KEY = "auth.keys.create";
  public static final String LIST_KEYS = "auth.keys.list";
  public static final String UPDATE_KEY = "auth.keys.update";
  public static final String DELETE_KEY = "auth.keys.delete";
  /** Batches of keys seen in use, from each HTTP verticle: {@code {"key_ids": [...], "at": time}}. */
  public static final String TOUCH = "auth.keys.touch";
  /** Plus a member's node id: that member evicts {@code {"key_id"}} from its cache, then replies. */
  public static final String EVICT = "eucalypt.auth.evict.";
  static final long EVICT_TIMEOUT_MS = 5_000;

  private static final Logger LOG = LoggerFactory.getLogger(AuthVerticle.class);
  private static final String CHANNEL = "eucalypt_auth";

  private final Settings settings;
  private Pool pool;
  private PgSubscriber subscriber;
  private PrincipalCache cache;

  public AuthVerticle(Settings settings) {
    this.settings = settings;
  }

  @Override
  public Future<?> start() {
    pool = Database.pool(vertx, settings);
    cache = PrincipalCache.of(vertx);
    subscriber = PgSubscriber.subscriber(vertx, Database.connectOptions(DatabaseUrl.parse(settings.databaseUrl())))
      .reconnectPolicy(attempt -> 1000L);
    subscriber.channel(CHANNEL)
      .handler(cache::evict)
      // After a reconnect, changes made meanwhile were never heard of: start afresh.
      .subscribeHandler(v -> cache.clear());
    // A clustered consumer, at an address of this member's own: the others reach it by name.
    MessageConsumer<JsonObject> evictions = vertx.eventBus().consumer(EVICT + Cluster.nodeId(vertx), msg -> {
      cache.evict(msg.body().getString("key_id"));
      msg.reply(null);
    });
    return Future.all(List.of(
      evictions.completion(),
      subscriber.connect(),
      Bus.serve(vertx, AUTHENTICATE, this::authenticate),
      Bus.serve(vertx, ME, this::getCurrentUser),
      Bus.serve(vertx, CREATE_KEY, this::createApiKey),
      Bus.serve(vertx, LIST_KEYS, this::listApiKeys),
      Bus.serve(vertx, UPDATE_KEY, this::updateApiKey),
      Bus.serve(vertx, DELETE_KEY, this::deleteApiKey),
      Bus.serve(vertx, TOUCH, this::touch)));
  }

  @Override
  public Future<?> stop() {
    return subscriber.close();
  }

  /**
   * Request: {@code {"secret_sha256": base64}}; unknown, revoked or inactive: 401. The principal
   * has {@code library_ids} null for a key on all libraries, else the libraries it may reach.
   */
  Future<JsonObject> authenticate(JsonObject req) {
    byte[] hash = Base64.getDecoder().decode(req.getString("secret_sha256"));
    return pool.preparedQuery(AuthSql.PRINCIPAL).execute(Tuple.of(Buffer.buffer(hash))).compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(Failure.of(401, "Not authenticated"));
      }
      Row r = rows.iterator().next();
      JsonArray libraries = null;
      if ("selected_libraries".equals(r.getString("library_scope_mode"))) {
        libraries = new JsonArray();
        for (UUID id : r.getArrayOfUUIDs("library_ids")) {
          libraries.add(id.toString());
        }
      }
      return Future.succeededFuture(new JsonObject()
        .put("user_id", r.getUUID("user_id").toString())
        .put("key_id", r.getUUID("key_id").toString())
        .put("actions", new JsonArray(List.of((Object[]) r.getArrayOfStrings("actions"))))
        .put("library_ids", libraries));
    });
  }

  Future<JsonObject> getCurrentUser(JsonObject req) {
    return pool.preparedQuery(AuthSql.ME).execute(Tuple.of(userId(req), settings.userStorageLimit())).compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(Failure.of(401, "Not authenticated"));
      }
      Row r = rows.iterator().next();
      return Future.succeededFuture(new JsonObject()
        .put("id", Ids.USER.format(r.getUUID("id")))
        .put("email", r.getString("email"))
        .put("first_name", r.getString("first_name"))
        .put("last_name", r.getString("last_name"))
        .put("is_active", r.getBoolean("is_active"))
        .put("is_superuser", r.getBoolean("is_superuser"))
        .put("is_verified", r.getBoolean("is_verified"))
        .put("storage_limit_bytes", r.getLong("storage_limit_bytes"))
        .put("storage_used_bytes", r.getLong("storage_used_bytes"))
        .put("timezone", r.getString("timezone"))
        .put("created_at", Json.time(r.getOffsetDateTime("created_at")))
        .put("updated_at", Json.time(r.getOffsetDateTime("updated_at"))));
    });
  }

  /**
   * Request: {@code name}, {@code actions}, {@code library_scope_mode} and, for a scoped key,
   * {@code library_ids} (UUIDs). Every named library must be the caller's and live, else 404.
   */
  Future<JsonObject> createApiKey(JsonObject req) {
    UUID user = userId(req);
    UUID key = Ids.newUuid();
    String secret = Secrets.newSecret();
    String mode = req.getString("library_scope_mode");
    UUID[] libraries = req.getJsonArray("library_ids", new JsonArray()).stream()
      .map(o -> UUID.fromString((String) o)).distinct().toArray(UUID[]::new);
    String[] actions = req.getJsonArray("actions").stream().map(String::valueOf).distinct().toArray(String[]::new);
    return pool.withTransaction(tx -> tx.preparedQuery(AuthSql.OWN_LIVE_LIBRARIES).execute(Tuple.of(user, (Object) libraries))
      .compose(own -> own.size() != libraries.length
        ? Future.failedFuture(Failure.notFound())
        : tx.preparedQuery(AuthSql.INSERT_KEY).execute(Tuple.of(key, user, req.getString("name"),
          Buffer.buffer(Secrets.hash(secret)), actions, mode)))
      .compose(inserted -> {
        JsonObject json = keyJson(inserted.iterator().next());
        Future<?> scoped = libraries.length == 0 ? Future.succeededFuture()
          : tx.preparedQuery(AuthSql.SCOPE_KEY).execute(Tuple.of(key, (Object) libraries));
        return scoped.map(v -> json.put("selected_library_count", libraries.length == 0 ? null : libraries.length));
      }))
      .map(json -> json.put("key", secret).put("api_key", secret));
  }

  Future<JsonArray> listApiKeys(JsonObject req) {
    return pool.preparedQuery(AuthSql.LIST_KEYS).execute(Tuple.of(userId(req))).map(rows -> {
      JsonArray out = new JsonArray();
      rows.forEach(r -> out.add(keyJson(r)));
      return out;
    });
  }

  Future<JsonObject> updateApiKey(JsonObject req) {
    JsonObject changes = req.getJsonObject("changes");
    UUID key = UUID.fromString(req.getString("key_id"));
    return pool.withTransaction(tx -> tx.preparedQuery(AuthSql.UPDATE_KEY).execute(Tuple.of(key, userId(req),
          changes.containsKey("name"), changes.getString("name"),
          changes.containsKey("is_active"), changes.getBoolean("is_active")))
        .compose(rows -> rows.size() == 0
          ? Future.failedFuture(Failure.notFound())
          : announce(tx, key).map(v -> keyJson(rows.iterator().next()))))
      .compose(json -> evictEverywhere(key).map(json));
  }

  Future<JsonObject> deleteApiKey(JsonObject req) {
    UUID key = UUID.fromString(req.getString("key_id"));
    return pool.withTransaction(tx -> tx.preparedQuery(AuthSql.DELETE_KEY).execute(Tuple.of(key, userId(req)))
        .compose(rows -> rows.size() == 0 ? Future.failedFuture(Failure.notFound()) : announce(tx, key)))
      .compose(v -> evictEverywhere(key))
      .map(v -> new JsonObject());
  }

  private static Future<Void> announce(io.vertx.sqlclient.SqlClient tx, UUID key) {
    return tx.preparedQuery(AuthSql.NOTIFY_KEY_CHANGED).execute(Tuple.of(key.toString())).mapEmpty();
  }

  /**
   * Evicts the key on every member, this one included, and completes once each acknowledged or
   * ran out of time. Never fails: the change itself is committed whatever happens here.
   */
  private Future<Void> evictEverywhere(UUID key) {
    JsonObject body = new JsonObject().put("key_id", key.toString());
    cache.evict(key.toString());
    List<Future<?>> acks = new ArrayList<>();
    for (String node : Cluster.nodes(vertx)) {
      if (!node.equals(Cluster.nodeId(vertx))) {
        acks.add(vertx.eventBus().request(EVICT + node, body, new DeliveryOptions().setSendTimeout(EVICT_TIMEOUT_MS))
          .onFailure(e -> LOG.warn("cluster member {} did not confirm evicting key {}: {}", node, key, e.toString())));
      }
    }
    return Future.join(acks).otherwiseEmpty().mapEmpty();
  }

  /** One write for many requests: last_used_at is kept current without a write per request. */
  Future<Void> touch(JsonObject req) {
    Set<UUID> keys = new HashSet<>();
    req.getJsonArray("key_ids").forEach(k -> keys.add(UUID.fromString((String) k)));
    return pool.preparedQuery(AuthSql.TOUCH)
      .execute(Tuple.of(keys.toArray(UUID[]::new), OffsetDateTime.parse(req.getString("at"))))
      .mapEmpty();
  }

  private static JsonObject keyJson(Row r) {
    return new JsonObject()
      .put("id", Ids.API_KEY.format(r.getUUID("id")))
      .put("name", r.getString("name"))
      .put("is_active", r.getBoolean("is_active"))
      .put("actions", new JsonArray(new ArrayList<>(List.of((Object[]) r.getArrayOfStrings("actions")))))
      .put("library_scope_mode", r.getString("library_scope_mode"))
      .put("selected_library_count", r.getLong("selected_library_count"))
      .put("last_used_at", Json.time(r.getOffsetDateTime("last_used_at")))
      .put("created_at", Json.time(r.getOffsetDateTime("created_at")));
  }

  private static UUID userId(JsonObject req) {
    return UUID.fromString(req.getString("user_id"));
  }
}
