package org.eucalypt.event;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * The outbox. Every change calls this inside its own transaction, so a change and its event
 * commit together or not at all.
 *
 * <p>Event ids follow commit order: a transaction takes one lock just before it writes its
 * events and keeps it until it commits, so no transaction can take a later id and commit
 * earlier. A reader that has seen event N has therefore seen, or will never see, every event
 * before N — the relay and the feed's cursors rely on it. The cost is that writers take turns for
 * the last moments of their transactions. The NOTIFY, delivered at commit, wakes the relays.
 */
public final class Events {
  public static final String CHANNEL = "eucalypt_events";

  private static final String IN_COMMIT_ORDER = "SELECT pg_advisory_xact_lock(8315), pg_notify('" + CHANNEL + "', '')";

  private static final String INSERT = """
    INSERT INTO events (user_id, library_id, entity_type, entity_id, event_type, payload, created_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7)
    """;

  /** Many events in one statement, in the order given (their ids follow it). */
  private static final String INSERT_ALL = """
    INSERT INTO events (user_id, library_id, entity_type, entity_id, event_type, payload, created_at)
    SELECT user_id, library_id, entity_type, entity_id, event_type, payload::jsonb, created_at
      FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[])
           WITH ORDINALITY AS e(user_id, library_id, entity_type, entity_id, event_type, payload, created_at, n)
     ORDER BY n
    """;

  private Events() {
  }

  public static Future<Void> record(SqlClient tx, Event e) {
    return tx.query(IN_COMMIT_ORDER).execute()
      .compose(v -> tx.preparedQuery(INSERT).execute(e.tuple()))
      .mapEmpty();
  }

  public static Future<Void> recordAll(SqlClient tx, List<Event> events) {
    if (events.isEmpty()) {
      return Future.succeededFuture();
    }
    // One statement rather than a batch of one per event: a drain batch records 500 of them.
    int n = events.size();
    UUID[] users = new UUID[n];
    UUID[] libraries = new UUID[n];
    String[] entityTypes = new String[n];
    String[] entityIds = new String[n];
    String[] eventTypes = new String[n];
    String[] payloads = new String[n];
    OffsetDateTime[] times = new OffsetDateTime[n];
    for (int i = 0; i < n; i++) {
      Event e = events.get(i);
      users[i] = e.userId();
      libraries[i] = e.libraryId();
      entityTypes[i] = e.entityType();
      entityIds[i] = e.entityId();
      eventTypes[i] = e.eventType();
      payloads[i] = e.payload() == null ? "{}" : e.payload().encode();
      times[i] = e.at();
    }
    Tuple arrays = Tuple.tuple().addArrayOfUUID(users).addArrayOfUUID(libraries).addArrayOfString(entityTypes)
      .addArrayOfString(entityIds).addArrayOfString(eventTypes).addArrayOfString(payloads)
      .addArrayOfOffsetDateTime(times);
    return tx.query(IN_COMMIT_ORDER).execute()
      .compose(v -> tx.preparedQuery(INSERT_ALL).execute(arrays))
      .mapEmpty();
  }

  /** One change: {@code entity_type} is {@code library} or {@code asset}. */
  public record Event(UUID userId, UUID libraryId, String entityType, String entityId, String eventType,
                      JsonObject payload, OffsetDateTime at) {
    Tuple tuple() {
      return Tuple.of(userId, libraryId, entityType, entityId, eventType, payload == null ? new JsonObject() : payload, at);
    }

    public static Event library(UUID userId, UUID libraryId, String libraryPublicId, String type, OffsetDateTime at) {
      return new Event(userId, libraryId, "library", libraryPublicId, type, new JsonObject(), at);
    }

    public static Event asset(UUID userId, UUID libraryId, String assetPublicId, String type, OffsetDateTime at) {
      return new Event(userId, libraryId, "asset", assetPublicId, type, new JsonObject(), at);
    }

    /**
     * An asset trashed or restored on its own: Gumnut's {@code asset_updated}, whose payload says
     * what changed ({@code {"change": "trashed", "trashed_at": ...}} or {@code {"change": "restored"}}).
     */
    public static Event assetUpdated(UUID userId, UUID libraryId, String assetPublicId, JsonObject change,
                                     OffsetDateTime at) {
      return new Event(userId, libraryId, "asset", assetPublicId, "asset_updated", change, at);
    }
  }
}
