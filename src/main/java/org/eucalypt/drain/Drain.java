package org.eucalypt.drain;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.eucalypt.event.Events;
import org.eucalypt.event.Events.Event;
import org.eucalypt.id.Ids;
import org.eucalypt.storage.BlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The purge of trashed libraries, one bounded batch at a time.
 *
 * <p>Each batch is one transaction: claim a due library with {@code SKIP LOCKED}, delete up to
 * {@code batchSize} of its assets, list their files for deletion, lower the counters, record the
 * events; or, once it is empty, delete the library itself. Only after that commits are the files
 * removed, and only after a file is gone is it unlisted. Several drains, in one process or many,
 * never take the same library at once, and a restore that wins the row lock stops the purge.
 */
public final class Drain {
  private static final Logger LOG = LoggerFactory.getLogger(Drain.class);

  /** How long a drain holds the files it is deleting before another drain may retry them. */
  static final Duration DELETION_LEASE = Duration.ofMinutes(2);

  private final Pool pool;
  private final BlobStore blobs;
  private final Clock clock;
  private final int batchSize;

  public Drain(Pool pool, BlobStore blobs, Clock clock, int batchSize) {
    this.pool = pool;
    this.blobs = blobs;
    this.clock = clock;
    this.batchSize = batchSize;
  }

  /** What one batch did: the library it worked on (null when none was due), and what went. */
  public record Batch(UUID libraryId, List<UUID> purgedAssets, boolean libraryRemoved) {
    public boolean idle() {
      return libraryId == null;
    }

    public JsonObject toJson() {
      return new JsonObject()
        .put("library_id", libraryId == null ? null : Ids.LIBRARY.format(libraryId))
        .put("assets_purged", purgedAssets.size())
        .put("library_removed", libraryRemoved);
    }
  }

  private OffsetDateTime now() {
    return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
  }

  /** Runs one batch and then removes the files it listed. */
  public Future<Batch> runBatch() {
    OffsetDateTime now = now();
    List<String> keys = new ArrayList<>();
    return pool.withTransaction(tx -> tx.preparedQuery(DrainSql.CLAIM_LIBRARY).execute(Tuple.of(now))
      .compose(claimed -> {
        if (claimed.size() == 0) {
          return Future.succeededFuture(new Batch(null, List.of(), false));
        }
        Row lib = claimed.iterator().next();
        UUID library = lib.getUUID("id");
        UUID user = lib.getUUID("user_id");
        return tx.preparedQuery(DrainSql.DELETE_ASSETS).execute(Tuple.of(library, batchSize)).compose(deleted -> {
          List<UUID> ids = new ArrayList<>(deleted.size());
          List<Event> events = new ArrayList<>(deleted.size() + 1);
          long bytes = 0;
          for (Row r : deleted) {
            ids.add(r.getUUID("id"));
            keys.add(r.getString("blob_key"));
            bytes += r.getLong("size_bytes");
            events.add(Event.asset(user, library, Ids.ASSET.format(r.getUUID("id")), "asset_deleted", now));
          }
          long freed = bytes;
          if (ids.isEmpty()) {
            return removeLibraryIfEmpty(tx, user, library, now).map(removed -> new Batch(library, ids, removed));
          }
          return tx.preparedQuery(DrainSql.LIST_FOR_DELETION)
            .execute(Tuple.of(keys.toArray(String[]::new), now))
            .compose(v -> tx.preparedQuery(DrainSql.COUNT_OUT).execute(Tuple.of(library, ids.size(), freed)))
            .compose(v -> Events.recordAll(tx, events))
            .compose(v -> ids.size() < batchSize
              ? removeLibraryIfEmpty(tx, user, library, now)
              : Future.succeededFuture(false))
            .map(removed -> new Batch(library, ids, removed));
        });
      }))
      .compose(batch -> deleteFiles(keys).map(batch))
      .onSuccess(batch -> {
        if (batch.libraryRemoved()) {
          LOG.info("drain: library {} purged and removed", Ids.LIBRARY.format(batch.libraryId()));
        }
      });
  }

  private Future<Boolean> removeLibraryIfEmpty(io.vertx.sqlclient.SqlConnection tx, UUID user, UUID library,
                                               OffsetDateTime now) {
    return tx.preparedQuery(DrainSql.HAS_ASSETS).execute(Tuple.of(library)).compose(rows -> {
      if (rows.iterator().next().getBoolean("has_assets")) {
        return Future.succeededFuture(false);
      }
      return tx.preparedQuery(DrainSql.DELETE_LIBRARY).execute(Tuple.of(library))
        .compose(v -> Events.record(tx, Event.library(user, library, Ids.LIBRARY.format(library), "library_purged", now)))
        .map(true);
    });
  }

  /**
   * Removes listed files whose deadline has passed: those a crashed drain or upload left, and
   * uploads that never committed. Returns how many were removed.
   */
  public Future<Integer> sweepDeletions(int limit) {
    OffsetDateTime now = now();
    return pool.preparedQuery(DrainSql.LEASE_DELETIONS)
      .execute(Tuple.of(now, now.plus(DELETION_LEASE), limit))
      .compose(rows -> {
        List<String> keys = new ArrayList<>(rows.size());
        rows.forEach(r -> keys.add(r.getString("blob_key")));
        return deleteFiles(keys).map(keys.size());
      });
  }

  /**
   * Deletes files, then unlists the ones that went. A file that could not be deleted stays listed
   * and is retried when its lease runs out.
   */
  private Future<Void> deleteFiles(List<String> keys) {
    if (keys.isEmpty()) {
      return Future.succeededFuture();
    }
    List<String> gone = new ArrayList<>(keys.size());
    List<Future<Void>> deletes = new ArrayList<>(keys.size());
    for (String key : keys) {
      deletes.add(blobs.delete(key)
        .onSuccess(v -> gone.add(key))
        .recover(e -> {
          LOG.warn("drain: could not delete stored file {}, will retry: {}", key, e.toString());
          return Future.succeededFuture();
        }));
    }
    return Future.join(deletes)
      .compose(v -> pool.preparedQuery(DrainSql.UNLIST).execute(Tuple.of((Object) gone.toArray(String[]::new))))
      .mapEmpty();
  }
}
