package org.eucalypt.drain;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.eucalypt.album.AlbumPurge;
import org.eucalypt.asset.Purge;
import org.eucalypt.event.Events;
import org.eucalypt.event.Events.Event;
import org.eucalypt.id.Ids;
import org.eucalypt.storage.BlobStore;
import org.eucalypt.storage.ListedDeletions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The purge of trashed libraries and of trashed assets past their window, one bounded batch at
 * a time.
 *
 * <p>Each batch is one transaction: claim a library with {@code SKIP LOCKED}, delete up to
 * {@code batchSize} of its assets, list their files for deletion, lower the counters, record the
 * events (memberships go with their assets); once a purged library holds no assets, delete its
 * albums a batch at a time, then the library itself. Only after that commits
 * are the files removed, and only after a file is gone is it unlisted. Several drains, in one
 * process or many, never take the same library at once, and a restore that wins the row lock
 * stops the purge.
 */
public final class Drain {
  private static final Logger LOG = LoggerFactory.getLogger(Drain.class);

  /** How long a drain holds the files it is deleting before another drain may retry them. */
  static final Duration DELETION_LEASE = Duration.ofMinutes(2);

  private final Pool pool;
  private final ListedDeletions deletions;
  private final Clock clock;
  private final int batchSize;
  private final Duration assetRetention;
  private final DrainMetrics metrics;
  /** The libraries this drain is purging, for the log: one line when it starts, one when it ends. */
  private final Map<UUID, Progress> purging = new ConcurrentHashMap<>();

  public Drain(Pool pool, BlobStore blobs, Clock clock, int batchSize, Duration assetRetention) {
    this(pool, blobs, clock, batchSize, assetRetention, DrainMetrics.NONE);
  }

  public Drain(Pool pool, BlobStore blobs, Clock clock, int batchSize, Duration assetRetention, DrainMetrics metrics) {
    this.pool = pool;
    this.deletions = new ListedDeletions(pool, blobs);
    this.clock = clock;
    this.batchSize = batchSize;
    this.assetRetention = assetRetention;
    this.metrics = metrics;
  }

  /** What this drain has done to one library so far (wall-clock time: it is for people). */
  private static final class Progress {
    final long startedNanos = System.nanoTime();
    long lastNanos = startedNanos;
    long assets;
    int batches;
  }

  /** A library restored mid-purge is never seen again: forget it after a while. */
  private static final long FORGET_AFTER_NANOS = Duration.ofHours(1).toNanos();

  /**
   * What one batch did: the library it worked on (null when nothing was due), the assets that
   * went, and whether the library itself went too.
   */
  public record Batch(UUID libraryId, List<UUID> purgedAssets, int purgedContents, boolean libraryRemoved) {
    static final Batch IDLE = new Batch(null, List.of(), 0, false);

    Batch(UUID libraryId, List<UUID> purgedAssets, boolean libraryRemoved) {
      this(libraryId, purgedAssets, 0, libraryRemoved);
    }

    public boolean idle() {
      return libraryId == null;
    }

    /** Whether it removed anything: a batch that did not would remove nothing again. */
    public boolean progressed() {
      return !purgedAssets.isEmpty() || purgedContents > 0 || libraryRemoved;
    }

    public JsonObject toJson() {
      return new JsonObject()
        .put("library_id", libraryId == null ? null : Ids.LIBRARY.format(libraryId))
        .put("assets_purged", purgedAssets.size())
        .put("contents_purged", purgedContents)
        .put("library_removed", libraryRemoved);
    }
  }

  private OffsetDateTime now() {
    return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
  }

  /** One batch of a due trashed library if there is one, else of assets trashed past their window. */
  public Future<Batch> runBatch() {
    return purgeLibraryBatch().compose(batch -> batch.idle() ? purgeTrashedAssetsBatch() : Future.succeededFuture(batch));
  }

  /** Runs one batch of the most overdue trashed library, then removes the files it listed. */
  public Future<Batch> purgeLibraryBatch() {
    OffsetDateTime now = now();
    long started = System.nanoTime();
    List<String> keys = new ArrayList<>();
    return pool.withTransaction(tx -> tx.preparedQuery(DrainSql.CLAIM_LIBRARY).execute(Tuple.of(now))
      .compose(claimed -> {
        if (claimed.size() == 0) {
          return Future.succeededFuture(Batch.IDLE);
        }
        Row lib = claimed.iterator().next();
        UUID library = lib.getUUID("id");
        UUID user = lib.getUUID("user_id");
        starting(library, lib.getLong("asset_count"), lib.getLong("storage_used_bytes"));
        return Purge.assets(tx, user, library, DrainSql.DELETE_LIBRARY_ASSETS, Tuple.of(library, batchSize), now, keys)
          .compose(purged -> purged.size() < batchSize
            ? removeContentsThenLibrary(tx, user, library, now, purged)
            : Future.succeededFuture(new Batch(library, purged, false)));
      }))
      .compose(batch -> deletions.deleteListed(keys).map(batch))
      .onSuccess(batch -> {
        if (!batch.idle()) {
          metrics.batch(batch.purgedAssets().size(), batch.libraryRemoved(), System.nanoTime() - started);
          progressed(batch);
        }
      });
  }

  private void starting(UUID library, long assets, long bytes) {
    long now = System.nanoTime();
    purging.values().removeIf(p -> now - p.lastNanos > FORGET_AFTER_NANOS);
    if (purging.putIfAbsent(library, new Progress()) == null) {
      LOG.atInfo().addKeyValue("event", "library_purge_started")
        .addKeyValue("library_id", Ids.LIBRARY.format(library))
        .addKeyValue("assets_left", assets).addKeyValue("bytes_left", bytes)
        .log("drain: purge of library {} started, {} assets ({} bytes) to go", Ids.LIBRARY.format(library), assets, bytes);
    }
  }

  private void progressed(Batch batch) {
    Progress p = batch.libraryRemoved() ? purging.remove(batch.libraryId()) : purging.get(batch.libraryId());
    if (p == null) {
      p = new Progress();
    }
    p.assets += batch.purgedAssets().size();
    p.batches++;
    p.lastNanos = System.nanoTime();
    if (batch.libraryRemoved()) {
      long millis = Duration.ofNanos(p.lastNanos - p.startedNanos).toMillis();
      LOG.atInfo().addKeyValue("event", "library_purge_finished")
        .addKeyValue("library_id", Ids.LIBRARY.format(batch.libraryId()))
        .addKeyValue("assets_purged", p.assets).addKeyValue("batches", p.batches).addKeyValue("duration_ms", millis)
        .log("drain: library {} purged and removed: {} assets in {} batches over {} ms",
          Ids.LIBRARY.format(batch.libraryId()), p.assets, p.batches, millis);
    }
  }

  /** Runs one batch of assets trashed one by one whose own retention window is over. */
  public Future<Batch> purgeTrashedAssetsBatch() {
    OffsetDateTime now = now();
    OffsetDateTime cutoff = now.minus(assetRetention);
    long started = System.nanoTime();
    List<String> keys = new ArrayList<>();
    return pool.withTransaction(tx -> tx.preparedQuery(DrainSql.CLAIM_TRASHED_ASSETS).execute(Tuple.of(cutoff))
      .compose(claimed -> {
        if (claimed.size() == 0) {
          return Future.succeededFuture(Batch.IDLE);
        }
        Row lib = claimed.iterator().next();
        UUID library = lib.getUUID("id");
        return Purge.assets(tx, lib.getUUID("user_id"), library, DrainSql.DELETE_TRASHED_ASSETS,
          Tuple.of(library, cutoff, batchSize), now, keys)
          .map(purged -> new Batch(library, purged, false));
      }))
      .compose(batch -> deletions.deleteListed(keys).map(batch))
      .onSuccess(batch -> {
        if (!batch.idle()) {
          metrics.batch(batch.purgedAssets().size(), false, System.nanoTime() - started);
          LOG.atInfo().addKeyValue("event", "trashed_assets_purged")
            .addKeyValue("library_id", Ids.LIBRARY.format(batch.libraryId()))
            .addKeyValue("assets_purged", batch.purgedAssets().size())
            .log("drain: {} assets of library {} purged, their own trash window over",
              batch.purgedAssets().size(), Ids.LIBRARY.format(batch.libraryId()));
        }
      });
  }

  /**
   * Once a purged library's assets are gone (and with them every membership and face), its albums
   * go, then its people, a batch at a time, and then the library row: nothing is ever left pointing
   * at a row that went.
   */
  private Future<Batch> removeContentsThenLibrary(SqlConnection tx, UUID user, UUID library, OffsetDateTime now,
                                                  List<UUID> purged) {
    return tx.preparedQuery(DrainSql.HAS_ASSETS).execute(Tuple.of(library)).compose(rows -> {
      if (rows.iterator().next().getBoolean("has_assets")) {
        return Future.succeededFuture(new Batch(library, purged, false));
      }
      // The faces went with their assets; then the albums, then the people, then the row.
      return AlbumPurge.albumsOf(tx, user, library, batchSize, now).compose(albums -> albums == batchSize
        ? Future.succeededFuture(new Batch(library, purged, albums, false))
        : org.eucalypt.person.Faces.purgeLibraryPeople(tx, user, library, batchSize, now).compose(noPeopleLeft ->
          !noPeopleLeft ? Future.succeededFuture(new Batch(library, purged, albums, false))
            : removeLibraryIfEmpty(tx, user, library, now).map(removed -> new Batch(library, purged, albums, removed))));
    });
  }

  private static Future<Boolean> removeLibraryIfEmpty(SqlConnection tx, UUID user, UUID library, OffsetDateTime now) {
    return tx.preparedQuery(DrainSql.HAS_ASSETS).execute(Tuple.of(library)).compose(rows -> {
      if (rows.iterator().next().getBoolean("has_assets")) {
        return Future.succeededFuture(false);
      }
      return tx.preparedQuery(DrainSql.DELETE_LIBRARY_STACKS).execute(Tuple.of(library))
        .compose(v -> tx.preparedQuery(DrainSql.DELETE_LIBRARY).execute(Tuple.of(library)))
        .compose(v -> Events.record(tx, Event.library(user, library, Ids.LIBRARY.format(library), "library_purged", now)))
        .map(true);
    });
  }

  /**
   * Removes listed files whose deadline has passed: those a crashed drain or request left, and
   * uploads that never committed. Returns how many were removed.
   */
  public Future<Integer> sweepDeletions(int limit) {
    OffsetDateTime now = now();
    return pool.preparedQuery(DrainSql.LEASE_DELETIONS)
      .execute(Tuple.of(now, now.plus(DELETION_LEASE), limit))
      .compose(rows -> {
        List<String> keys = new ArrayList<>(rows.size());
        rows.forEach(r -> keys.add(r.getString("blob_key")));
        return deletions.deleteListed(keys).map(keys.size());
      });
  }
}
