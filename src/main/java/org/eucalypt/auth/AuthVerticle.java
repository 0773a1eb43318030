package org.eucalypt.auth;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.pubsub.PgSubscriber;
import org.eucalypt.cluster.Cluster;
import org.eucalypt.config.DatabaseUrl;
import org.eucalypt.config.Settings;
import org.eucalypt.db.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Keeps this instance's {@link PrincipalCache} honest. A change to a key (revoked, deactivated,
 * renamed) must hold on the very next request, whichever instance it reaches. So once the change
 * commits, and before it is answered, every member of the cluster is asked to evict the key, at
 * an address only that member serves ({@link #EVICT} + its node id), and the answer waits for all
 * of them to acknowledge (at most {@link #EVICT_TIMEOUT_MS}: a member that cannot answer is dead
 * or cut off, and NOTIFY and the cache's time limit are the backstop). The change is also
 * announced with PostgreSQL's NOTIFY in the transaction that makes it, for instances outside the
 * cluster; this verticle listens for it. One instance per Vert.x.
 */
public class AuthVerticle extends VerticleBase {
  /** Plus a member's node id: that member evicts {@code {"key_id"}} from its cache, then replies. */
  public static final String EVICT = "eucalypt.auth.evict.";
  static final long EVICT_TIMEOUT_MS = 5_000;
  static final String CHANNEL = "eucalypt_auth";

  private static final Logger LOG = LoggerFactory.getLogger(AuthVerticle.class);

  private final Settings settings;
  private PgSubscriber subscriber;

  public AuthVerticle(Settings settings) {
    this.settings = settings;
  }

  @Override
  public Future<?> start() {
    PrincipalCache cache = PrincipalCache.of(vertx);
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
    return Future.all(evictions.completion(), subscriber.connect());
  }

  @Override
  public Future<?> stop() {
    return subscriber.close();
  }

  /**
   * Evicts the key on every member, this one included, and completes once each acknowledged or
   * ran out of time. Never fails: the change itself is committed whatever happens here.
   */
  static Future<Void> evictEverywhere(Vertx vertx, UUID key) {
    JsonObject body = new JsonObject().put("key_id", key.toString());
    PrincipalCache.of(vertx).evict(key.toString());
    List<Future<?>> acks = new ArrayList<>();
    for (String node : Cluster.nodes(vertx)) {
      if (!node.equals(Cluster.nodeId(vertx))) {
        acks.add(vertx.eventBus().request(EVICT + node, body, new DeliveryOptions().setSendTimeout(EVICT_TIMEOUT_MS))
          .onFailure(e -> LOG.warn("cluster member {} did not confirm evicting key {}: {}", node, key, e.toString())));
      }
    }
    return Future.join(acks).otherwiseEmpty().mapEmpty();
  }
}
