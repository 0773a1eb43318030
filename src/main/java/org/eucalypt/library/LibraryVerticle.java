package org.eucalypt.library;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import org.eucalypt.auth.LibraryScope;
import org.eucalypt.bus.Bus;
import org.eucalypt.bus.Failure;
import org.eucalypt.bus.Json;
import org.eucalypt.config.Settings;
import org.eucalypt.db.Database;
import org.eucalypt.event.Events;
import org.eucalypt.event.Events.Event;
import org.eucalypt.id.Ids;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * The library lifecycle: create, read, update, trash, restore and expedite. Requests arrive on the
 * event bus as JSON with the caller's {@code user_id}; every statement is scoped to that user, so
 * another user's library is indistinguishable from one that does not exist.
 */
public class LibraryVerticle extends VerticleBase {
  public static final String CREATE = "libraries.create";
  public static final String LIST = "libraries.list";
  public static final String GET = "libraries.get";
  public static final String UPDATE = "libraries.update";
  public static final String TRASH = "libraries.trash";
  public static final String RESTORE = "libraries.restore";
  public static final String DELETE = "libraries.delete";

  private final Settings settings;
  private final Clock clock;
  private Pool pool;

  public LibraryVerticle(Settings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    pool = Database.pool(vertx, settings);
    return Future.all(java.util.List.of(
      Bus.serve(vertx, CREATE, this::createLibrary),
      Bus.serve(vertx, LIST, this::listLibraries),
      Bus.serve(vertx, GET, this::getLibrary),
      Bus.serve(vertx, UPDATE, this::updateLibrary),
      Bus.serve(vertx, TRASH, this::trashLibrary),
      Bus.serve(vertx, RESTORE, this::restoreLibrary),
      Bus.serve(vertx, DELETE, this::deleteLibrary)));
  }

  private OffsetDateTime now() {
    return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
  }

  Future<JsonObject> createLibrary(JsonObject req) {
    UUID user = userId(req);
    UUID id = Ids.newUuid();
    OffsetDateTime now = now();
    return pool.withTransaction(tx -> tx.preparedQuery(LibrarySql.INSERT)
      .execute(Tuple.of(id, user, req.getString("name"), req.getString("description"), now,
        req.getLong("storage_limit_bytes")))
      .compose(rows -> event(tx, user, id, "library_created", now).map(v -> toJson(rows.iterator().next()))));
  }

  Future<JsonArray> listLibraries(JsonObject req) {
    String sql = switch (req.getString("state", "live")) {
      case "trashed" -> LibrarySql.LIST_TRASHED;
      case "all" -> LibrarySql.LIST_ALL;
      default -> LibrarySql.LIST_LIVE;
    };
    LibraryScope scope = LibraryScope.of(req);
    return pool.preparedQuery(sql).execute(Tuple.of(userId(req))).map(rows -> {
      JsonArray out = new JsonArray();
      rows.forEach(r -> {
        if (scope.allows(r.getUUID("id"))) {
          out.add(toJson(r));
        }
      });
      return out;
    });
  }

  Future<JsonObject> getLibrary(JsonObject req) {
    return find(pool, libraryId(req), userId(req));
  }

  Future<JsonObject> updateLibrary(JsonObject req) {
    UUID user = userId(req);
    UUID id = libraryId(req);
    JsonObject changes = req.getJsonObject("changes");
    OffsetDateTime now = now();
    return pool.withTransaction(tx -> tx.preparedQuery(LibrarySql.UPDATE)
      .execute(Tuple.of(id, user,
        changes.containsKey("name"), changes.getString("name"),
        changes.containsKey("description"), changes.getString("description"),
        now,
        changes.containsKey("storage_limit_bytes"), changes.getLong("storage_limit_bytes")))
      .compose(rows -> rows.size() == 0
        ? Future.failedFuture(Failure.notFound())
        : event(tx, user, id, "library_updated", now).map(v -> toJson(rows.iterator().next()))));
  }

  Future<JsonObject> trashLibrary(JsonObject req) {
    UUID user = userId(req);
    UUID id = libraryId(req);
    OffsetDateTime now = now();
    return pool.withTransaction(tx -> tx.preparedQuery(LibrarySql.TRASH)
      .execute(Tuple.of(id, user, now, now.plus(settings.trashRetention())))
      .compose(rows -> rows.size() > 0
        ? event(tx, user, id, "library_trashed", now)
        // Nothing changed: already trashed (a no-op that keeps the deadline) or not there at all.
        : find(tx, id, user).mapEmpty()))
      .map(v -> new JsonObject());
  }

  Future<JsonObject> restoreLibrary(JsonObject req) {
    UUID user = userId(req);
    UUID id = libraryId(req);
    OffsetDateTime now = now();
    return pool.withTransaction(tx -> tx.preparedQuery(LibrarySql.RESTORE)
      .execute(Tuple.of(id, user, now))
      .compose(rows -> rows.size() > 0
        ? event(tx, user, id, "library_restored", now).map(v -> toJson(rows.iterator().next()))
        // Live already: restoring it is a no-op that returns it.
        : find(tx, id, user)));
  }

  Future<JsonObject> deleteLibrary(JsonObject req) {
    UUID user = userId(req);
    UUID id = libraryId(req);
    OffsetDateTime now = now();
    return pool.withTransaction(tx -> tx.preparedQuery(LibrarySql.EXPEDITE)
      .execute(Tuple.of(id, user, now))
      .compose(rows -> {
        if (rows.size() > 0) {
          return event(tx, user, id, "library_purge_expedited", now);
        }
        return find(tx, id, user).compose(lib -> lib.getString("trashed_at") == null
          ? Future.failedFuture(Failure.conflict("Library is not trashed; trash it first"))
          // Already due: a second expedite changes nothing.
          : Future.succeededFuture());
      }))
      .map(v -> new JsonObject());
  }

  private static Future<JsonObject> find(SqlClient client, UUID id, UUID user) {
    return client.preparedQuery(LibrarySql.GET).execute(Tuple.of(id, user))
      .compose(LibraryVerticle::single);
  }

  private static Future<JsonObject> single(RowSet<Row> rows) {
    return rows.size() == 0
      ? Future.failedFuture(Failure.notFound())
      : Future.succeededFuture(toJson(rows.iterator().next()));
  }

  private static Future<Void> event(SqlClient tx, UUID user, UUID library, String type, OffsetDateTime at) {
    return Events.record(tx, Event.library(user, library, Ids.LIBRARY.format(library), type, at));
  }

  /** The API's {@code LibraryResponse}, plus the trash state a client needs to show a trash view. */
  static JsonObject toJson(Row r) {
    return new JsonObject()
      .put("id", Ids.LIBRARY.format(r.getUUID("id")))
      .put("name", r.getString("name"))
      .put("description", r.getString("description"))
      .put("user_id", Ids.USER.format(r.getUUID("user_id")))
      .put("asset_count", r.getLong("asset_count"))
      .put("storage_used_bytes", r.getLong("storage_used_bytes"))
      .put("storage_limit_bytes", r.getLong("storage_limit_bytes"))
      .put("trashed_at", Json.time(r.getOffsetDateTime("trashed_at")))
      .put("purge_after", Json.time(r.getOffsetDateTime("purge_after")))
      .put("created_at", Json.time(r.getOffsetDateTime("created_at")))
      .put("updated_at", Json.time(r.getOffsetDateTime("updated_at")));
  }


  private static UUID userId(JsonObject req) {
    return UUID.fromString(req.getString("user_id"));
  }

  /** The library a request names; one outside the key's scope is as good as unknown. */
  private static UUID libraryId(JsonObject req) {
    UUID id = UUID.fromString(req.getString("library_id"));
    if (!LibraryScope.of(req).allows(id)) {
      throw Failure.notFound();
    }
    return id;
  }
}
