package org.eucalypt.event;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import org.eucalypt.bus.JsonPage;
import org.eucalypt.auth.Caller;
import org.eucalypt.bus.DomainException;
import org.eucalypt.bus.Json;
import org.eucalypt.config.Settings;
import org.eucalypt.db.Database;
import org.eucalypt.db.Reads;
import org.eucalypt.db.Pages;
import org.eucalypt.id.Ids;

import java.time.OffsetDateTime;
import java.util.UUID;

/** {@link EventService} on PostgreSQL's outbox table. */
public final class EventServiceImpl implements EventService {
  private final Reads reads;

  public EventServiceImpl(Vertx vertx, Settings settings) {
    this.reads = Database.reads(vertx, settings);
  }

  @Override
  public Future<JsonPage> getEvents(Caller caller, EventQuery q) {
    int limit = q.limit();
    return library(caller, q.libraryId()).compose(library -> reads.run(c -> c.preparedQuery(EventSql.FEED)
        .execute(Tuple.tuple()
          .addUUID(library).addUUID(caller.userId())
          .addLong(q.afterCursor() == null ? 0 : Long.parseLong(q.afterCursor()))
          .addOffsetDateTime(time(q.createdAtGte()))
          .addOffsetDateTime(time(q.createdAtLt()))
          .addArrayOfString(q.entityTypes() == null ? null : q.entityTypes().toArray(String[]::new))
          .addInteger(Pages.fetch(limit)))))
      .map(rows -> new JsonPage(Pages.items(rows, limit, EventServiceImpl::toJson), Pages.hasMore(rows, limit)));
  }

  /** The API's {@code EventResponse}. */
  private static JsonObject toJson(Row r) {
    return new JsonObject()
      .put("cursor", Long.toString(r.getLong("id")))
      .put("created_at", Json.time(r.getOffsetDateTime("created_at")))
      .put("entity_type", r.getString("entity_type"))
      .put("entity_id", r.getString("entity_id"))
      .put("event_type", r.getString("event_type"))
      .put("payload", r.getJsonObject("payload"));
  }

  private Future<UUID> library(Caller caller, String named) {
    if (named != null) {
      UUID library = Ids.LIBRARY.parse(named).orElse(null);
      if (library == null || !caller.reaches(library)) {
        return Future.failedFuture(DomainException.notFound());
      }
      return reads.run(c -> c.preparedQuery(EventSql.HAS_FEED).execute(Tuple.of(library, caller.userId())))
        .compose(rows -> rows.iterator().next().getBoolean("known")
          ? Future.succeededFuture(library)
          : Future.failedFuture(DomainException.notFound()));
    }
    return reads.run(c -> c.preparedQuery(EventSql.SOLE_LIVE_LIBRARY)
        .execute(Tuple.of(caller.userId(), (Object) caller.librariesArray())))
      .compose(rows -> rows.size() == 1
        ? Future.succeededFuture(rows.iterator().next().getUUID("id"))
        : Future.failedFuture(DomainException.badRequest(rows.size() == 0
          ? "You have no live library; name one with library_id"
          : "library_id is required when you have more than one library")));
  }

  private static OffsetDateTime time(String iso) {
    return iso == null ? null : OffsetDateTime.parse(iso);
  }
}
