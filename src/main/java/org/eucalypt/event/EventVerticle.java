package org.eucalypt.event;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.eucalypt.bus.Json;
import org.eucalypt.config.DatabaseUrl;
import org.eucalypt.config.Settings;
import org.eucalypt.db.Database;
import org.eucalypt.id.Ids;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;

/**
 * The relay from the outbox (the feed itself is {@link EventService}): it publishes each
 * committed event on this instance's event bus, at {@code eucalypt.events.<entity_type>}, in
 * commit order. One instance per Vert.x.
 *
 * <p>The relay starts from the newest event when the instance starts, is woken by PostgreSQL's
 * NOTIFY as each change commits, and polls once a second besides, so a lost notification delays
 * an event but never loses it. Each instance's relay publishes to its own consumers only, so in a
 * cluster every consumer gets each event once. Across a crash of the instance, events committed
 * while it was down are not published again: a consumer catches up from the feed, from the cursor
 * of the last event it saw.
 */
public class EventVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(EventVerticle.class);
  public static final String ADDRESS_PREFIX = "eucalypt.events.";
  private static final int RELAY_BATCH = 1000;
  private static final long POLL_MILLIS = 1000;
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  private final Settings settings;
  private Pool pool;
  private PgSubscriber subscriber;
  private long lastPublished;
  private boolean relaying;
  private boolean again;

  public EventVerticle(Settings settings) {
    this.settings = settings;
  }

  @Override
  public Future<?> start() {
    pool = Database.pool(vertx, settings);
    subscriber = PgSubscriber.subscriber(vertx, Database.connectOptions(DatabaseUrl.parse(settings.databaseUrl())))
      .reconnectPolicy(attempt -> 1000L);
    subscriber.channel(Events.CHANNEL).handler(payload -> relay());
    return pool.query(EventSql.LAST_ID).execute()
      .onSuccess(rows -> lastPublished = rows.iterator().next().getLong("last"))
      .compose(v -> subscriber.connect())
      .onSuccess(v -> vertx.setPeriodic(POLL_MILLIS, id -> relay()));
  }

  @Override
  public Future<?> stop() {
    return subscriber.close();
  }

  /** Publishes every committed event after the last one published, in id (that is, commit) order. */
  private void relay() {
    if (relaying) {
      again = true;
      return;
    }
    relaying = true;
    again = false;
    pool.preparedQuery(EventSql.AFTER).execute(Tuple.of(lastPublished, RELAY_BATCH))
      .onSuccess(rows -> {
        for (Row r : rows) {
          JsonObject event = toBusJson(r);
          vertx.eventBus().publish(ADDRESS_PREFIX + r.getString("entity_type"), event, LOCAL);
          lastPublished = r.getLong("id");
        }
        if (rows.size() == RELAY_BATCH) {
          again = true;
        }
      })
      .onFailure(e -> LOG.warn("event relay: will retry: {}", e.toString()))
      .onComplete(ar -> {
        relaying = false;
        if (again) {
          relay();
        }
      });
  }

  /** The event as other services get it on the bus. */
  static JsonObject toBusJson(Row r) {
    UUID library = r.getUUID("library_id");
    return new JsonObject()
      .put("cursor", Long.toString(r.getLong("id")))
      .put("event_type", r.getString("event_type"))
      .put("entity_type", r.getString("entity_type"))
      .put("entity_id", r.getString("entity_id"))
      .put("library_id", library == null ? null : Ids.LIBRARY.format(library))
      .put("user_id", Ids.USER.format(r.getUUID("user_id")))
      .put("created_at", Json.time(r.getOffsetDateTime("created_at")))
      .put("payload", r.getJsonObject("payload"));
  }
}
