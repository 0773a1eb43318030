package org.eucalypt.library;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import org.eucalypt.auth.Caller;
import org.eucalypt.bus.DomainException;
import org.eucalypt.config.Settings;
import org.eucalypt.db.Database;
import org.eucalypt.db.Reads;
import org.eucalypt.event.Events;
import org.eucalypt.event.Events.Event;
import org.eucalypt.id.Ids;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * {@link LibraryService} on PostgreSQL. Reads go through the pipelined client; every change is
 * one transaction on a pooled connection, with its event recorded in the same transaction.
 */
public final class LibraryServiceImpl implements LibraryService {
  private final Settings settings;
  private final Clock clock;
  private final Pool pool;
  private final Reads reads;

  public LibraryServiceImpl(Vertx vertx, Settings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
    this.pool = Database.pool(vertx, settings);
    this.reads = Database.reads(vertx, settings);
  }

  private OffsetDateTime now() {
    return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
  }

  @Override
  public Future<Library> createLibrary(Caller caller, LibraryChanges body) {
    UUID id = Ids.newUuid();
    OffsetDateTime now = now();
    return pool.withTransaction(tx -> tx.preparedQuery(LibrarySql.INSERT)
      .execute(Tuple.of(id, caller.userId(), body.name(), body.description(), now, body.storageLimitBytes()))
      .compose(rows -> event(tx, caller, id, "library_created", now).map(v -> Library.of(rows.iterator().next()))));
  }

  @Override
  public Future<List<Library>> listLibraries(Caller caller, String state) {
    String sql = switch (state == null ? "live" : state) {
      case "trashed" -> LibrarySql.LIST_TRASHED;
      case "all" -> LibrarySql.LIST_ALL;
      default -> LibrarySql.LIST_LIVE;
    };
    return reads.run(c -> c.preparedQuery(sql).execute(Tuple.of(caller.userId()))).map(rows -> {
      List<Library> out = new ArrayList<>(rows.size());
      for (Row r : rows) {
        if (caller.reaches(r.getUUID("id"))) {
          out.add(Library.of(r));
        }
      }
      return out;
    });
  }

  @Override
  public Future<Library> getLibrary(Caller caller, String libraryId) {
    return libraryId(caller, libraryId).compose(id -> reads.run(c -> find(c, id, caller.userId())));
  }

  @Override
  public Future<Library> updateLibrary(Caller caller, String libraryId, LibraryChanges changes) {
    OffsetDateTime now = now();
    return libraryId(caller, libraryId).compose(id -> pool.withTransaction(tx -> tx.preparedQuery(LibrarySql.UPDATE)
      .execute(Tuple.of(id, caller.userId(),
        changes.hasName(), changes.name(),
        changes.hasDescription(), changes.description(),
        now,
        changes.hasStorageLimit(), changes.storageLimitBytes()))
      .compose(rows -> rows.size() == 0
        ? Future.failedFuture(DomainException.notFound())
        : event(tx, caller, id, "library_updated", now).map(v -> Library.of(rows.iterator().next())))));
  }

  @Override
  public Future<Void> trashLibrary(Caller caller, String libraryId) {
    OffsetDateTime now = now();
    return libraryId(caller, libraryId).compose(id -> pool.withTransaction(tx -> tx.preparedQuery(LibrarySql.TRASH)
      .execute(Tuple.of(id, caller.userId(), now, now.plus(settings.trashRetention())))
      .compose(rows -> rows.size() > 0
        ? event(tx, caller, id, "library_trashed", now)
        // Nothing changed: already trashed (a no-op that keeps the deadline) or not there at all.
        : find(tx, id, caller.userId()).mapEmpty())));
  }

  @Override
  public Future<Library> restoreLibrary(Caller caller, String libraryId) {
    OffsetDateTime now = now();
    return libraryId(caller, libraryId).compose(id -> pool.withTransaction(tx -> tx.preparedQuery(LibrarySql.RESTORE)
      .execute(Tuple.of(id, caller.userId(), now))
      .compose(rows -> rows.size() > 0
        ? event(tx, caller, id, "library_restored", now).map(v -> Library.of(rows.iterator().next()))
        // Live already: restoring it is a no-op that returns it.
        : find(tx, id, caller.userId()))));
  }

  @Override
  public Future<Void> deleteLibrary(Caller caller, String libraryId) {
    OffsetDateTime now = now();
    return libraryId(caller, libraryId).compose(id -> pool.withTransaction(tx -> tx.preparedQuery(LibrarySql.EXPEDITE)
      .execute(Tuple.of(id, caller.userId(), now))
      .compose(rows -> {
        if (rows.size() > 0) {
          return event(tx, caller, id, "library_purge_expedited", now);
        }
        return find(tx, id, caller.userId()).compose(lib -> lib.trashedAt() == null
          ? Future.failedFuture(DomainException.conflict("Library is not trashed; trash it first"))
          // Already due: a second expedite changes nothing.
          : Future.succeededFuture());
      })));
  }

  private static Future<Library> find(SqlClient client, UUID id, UUID user) {
    return client.preparedQuery(LibrarySql.GET).execute(Tuple.of(id, user)).compose(LibraryServiceImpl::single);
  }

  private static Future<Library> single(RowSet<Row> rows) {
    return rows.size() == 0
      ? Future.failedFuture(DomainException.notFound())
      : Future.succeededFuture(Library.of(rows.iterator().next()));
  }

  private static Future<Void> event(SqlClient tx, Caller caller, UUID library, String type, OffsetDateTime at) {
    return Events.record(tx, Event.library(caller.userId(), library, Ids.LIBRARY.format(library), type, at));
  }

  /**
   * The library an id names, if the caller's key reaches it; otherwise it is as good as unknown.
   * A failed future, never a throw: the generated bus handler would answer a throw as a 500.
   */
  private static Future<UUID> libraryId(Caller caller, String libraryId) {
    UUID id = Ids.LIBRARY.parse(libraryId).orElse(null);
    return id != null && caller.reaches(id) ? Future.succeededFuture(id) : Future.failedFuture(DomainException.notFound());
  }
}
