package org.eucalypt.ops;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.eucalypt.config.DatabaseUrl;
import org.eucalypt.config.Settings;
import org.eucalypt.db.Database;
import org.eucalypt.drain.Drain;
import org.eucalypt.id.Ids;
import org.eucalypt.storage.BlobStore;
import org.eucalypt.storage.BlobStores;

import java.io.PrintStream;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The admin commands of the jar that work on the database: {@code migrate}, {@code drain --once}
 * and {@code status}. Each answers its exit code; what it prints goes to {@code out}, logs to stderr.
 */
public final class Commands {
  private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm'Z'");

  private final Vertx vertx;
  private final Settings settings;
  private final PrintStream out;
  private final Clock clock;

  public Commands(Vertx vertx, Settings settings, PrintStream out, Clock clock) {
    this.vertx = vertx;
    this.settings = settings;
    this.out = out;
    this.clock = clock;
  }

  /** Creates the database if missing, runs the migrations, and says where the schema stands. */
  public Future<Integer> migrate() {
    return Database.prepare(vertx, settings).compose(v -> withPool(pool -> Migrations.check(pool).map(state -> {
      if (!state.migrated()) {
        throw new IllegalStateException(state.problem());
      }
      out.println("database " + DatabaseUrl.parse(settings.databaseUrl()).database()
        + " migrated: schema version " + state.current());
      return 0;
    })));
  }

  /**
   * One drain pass, for cron-style operation: batches until nothing is due (each one a
   * transaction, as the server's drain runs them, and safe beside running servers), then the
   * sweep of listed files. Prints one JSON line: what was done.
   */
  public Future<Integer> drainOnce() {
    BlobStore blobs = BlobStores.of(vertx, settings);
    return withMigratedPool(pool -> blobs.init().compose(v -> {
      Drain drain = new Drain(pool, blobs, clock, settings.drainBatchSize(), settings.assetTrashRetention());
      JsonObject done = new JsonObject().put("batches", 0).put("assets_purged", 0).put("contents_purged", 0)
        .put("libraries_removed", 0).put("files_swept", 0);
      return batches(drain, done).compose(v2 -> sweep(drain, done)).map(v2 -> {
        out.println(done.encode());
        return 0;
      });
    }).eventually(blobs::close));
  }

  private Future<Void> batches(Drain drain, JsonObject done) {
    return drain.runBatch().compose(batch -> {
      // A batch that took nothing would take nothing again: the pass is over.
      if (batch.idle() || !batch.progressed()) {
        return Future.succeededFuture();
      }
      add(done, "batches", 1);
      add(done, "assets_purged", batch.purgedAssets().size());
      add(done, "contents_purged", batch.purgedContents());
      add(done, "libraries_removed", batch.libraryRemoved() ? 1 : 0);
      return batches(drain, done);
    });
  }

  private Future<Void> sweep(Drain drain, JsonObject done) {
    int limit = settings.drainBatchSize();
    return drain.sweepDeletions(limit).compose(swept -> {
      add(done, "files_swept", swept);
      return swept < limit ? Future.succeededFuture() : sweep(drain, done);
    });
  }

  private static void add(JsonObject o, String key, int n) {
    o.put(key, o.getInteger(key) + n);
  }

  /** The trashed libraries awaiting purge and how far the drain has got with each. */
  public Future<Integer> status(boolean json) {
    OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
    return withMigratedPool(pool -> pool.preparedQuery(OpsSql.TRASHED_LIBRARIES).execute(Tuple.of(now))
      .compose(libraries -> pool.preparedQuery(OpsSql.OTHER_BACKLOG)
        .execute(Tuple.of(now.minus(settings.assetTrashRetention()), now))
        .map(other -> {
          JsonArray list = new JsonArray();
          int due = 0;
          for (Row r : libraries) {
            long purged = r.getLong("purged");
            long left = r.getLong("asset_count");
            boolean isDue = r.getBoolean("due");
            due += isDue ? 1 : 0;
            list.add(new JsonObject()
              .put("id", Ids.LIBRARY.format(r.getUUID("id")))
              .put("name", r.getString("name"))
              .put("owner", r.getString("email"))
              .put("trashed_at", r.getOffsetDateTime("trashed_at").toInstant().toString())
              .put("purge_after", r.getOffsetDateTime("purge_after").toInstant().toString())
              .put("state", isDue ? "purging" : "restorable")
              .put("assets_purged", purged)
              .put("assets_left", left)
              .put("bytes_left", r.getLong("storage_used_bytes"))
              .put("progress", purged + left == 0 ? 1.0 : Math.round(1000.0 * purged / (purged + left)) / 1000.0));
          }
          Row o = other.iterator().next();
          JsonObject report = new JsonObject()
            .put("libraries_awaiting_purge", list.size())
            .put("libraries_due", due)
            .put("trashed_assets_due", o.getLong("trashed_assets_due"))
            .put("files_due", o.getLong("files_due"))
            .put("libraries", list);
          if (json) {
            out.println(report.encode());
          } else {
            print(report);
          }
          return 0;
        })));
  }

  private void print(JsonObject report) {
    out.printf(Locale.ROOT, "%d trashed libraries awaiting purge, %d of them past their window; "
        + "%d assets trashed on their own past their window; %d files awaiting deletion%n",
      report.getInteger("libraries_awaiting_purge"), report.getInteger("libraries_due"),
      report.getLong("trashed_assets_due"), report.getLong("files_due"));
    JsonArray list = report.getJsonArray("libraries");
    if (list.isEmpty()) {
      return;
    }
    String row = "%-28s %-20s %-24s %-17s %-17s %-10s %8s %8s %12s %8s%n";
    out.println();
    out.printf(Locale.ROOT, row, "LIBRARY", "NAME", "OWNER", "TRASHED", "PURGE AFTER", "STATE",
      "PURGED", "LEFT", "BYTES LEFT", "PROGRESS");
    for (int i = 0; i < list.size(); i++) {
      JsonObject l = list.getJsonObject(i);
      out.printf(Locale.ROOT, row, l.getString("id"), cut(l.getString("name"), 20), cut(l.getString("owner"), 24),
        minute(l.getString("trashed_at")), minute(l.getString("purge_after")), l.getString("state"),
        l.getLong("assets_purged"), l.getLong("assets_left"), l.getLong("bytes_left"),
        String.format(Locale.ROOT, "%.1f%%", 100 * l.getDouble("progress")));
    }
  }

  private static String minute(String instant) {
    return MINUTE.format(OffsetDateTime.parse(instant));
  }

  private static String cut(String s, int n) {
    return s.length() <= n ? s : s.substring(0, n - 1) + "…";
  }

  private <T> Future<T> withPool(java.util.function.Function<Pool, Future<T>> work) {
    Pool pool = Database.pool(vertx, settings);
    return work.apply(pool).eventually(pool::close);
  }

  /** Refuses, naming the fix, when the database is not migrated to this jar's version. */
  private <T> Future<T> withMigratedPool(java.util.function.Function<Pool, Future<T>> work) {
    return withPool(pool -> Migrations.check(pool).compose(state -> state.migrated()
      ? work.apply(pool)
      : Future.failedFuture(new IllegalStateException("database " + DatabaseUrl.parse(settings.databaseUrl()).database()
        + ": " + state.problem()))));
  }
}
