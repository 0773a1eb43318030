package org.eucalypt.drain;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.eucalypt.config.Settings;
import org.eucalypt.db.Database;
import org.eucalypt.storage.BlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Runs the {@link Drain} on a timer. Each tick does at most {@code drain_batches_per_tick}
 * batches, then sweeps leftover files. Ticks never overlap: the next is scheduled when the current
 * one ends, {@code drain_interval} later when the tick ran out of work, {@link #BUSY_PAUSE} later
 * when it stopped at its quota with work left: a big backlog drains at the speed of the database
 * rather than of the timer (one 100-asset batch takes a few milliseconds, the interval is 10 s).
 *
 * <p>It answers {@link #STATUS} on the local event bus (for the readiness check) and, with
 * {@link DrainMetrics}, keeps the drain's gauges and counters current.
 */
public class DrainVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(DrainVerticle.class);
  /** Local address: answers whether this process's drain is running, and its last ticks. */
  public static final String STATUS = "drain.status";
  /** Between ticks while work is left: room for the sweep and for the timers of other work. */
  static final long BUSY_PAUSE_MS = 50;
  /** The longest wait after failed ticks: a database that is down is retried at least every minute. */
  static final long MAX_BACKOFF_MS = 60_000;

  private final Settings settings;
  private final Clock clock;
  private final BlobStore blobs;
  private final DrainMetrics metrics;
  private Pool pool;
  private Drain drain;
  private long timer = -1;
  private boolean stopped;
  private Instant tickStarted;
  /** The tick under way, if any: a stop waits for it, so a batch is never cut off mid-way. */
  private Future<JsonObject> current;
  private Instant lastTickEnded;
  private boolean lastTickOk;
  /** Failed ticks in a row; each doubles the wait before the next, and a tick that works resets it. */
  private int failuresInARow;

  public DrainVerticle(Settings settings, Clock clock, BlobStore blobs) {
    this(settings, clock, blobs, DrainMetrics.NONE);
  }

  public DrainVerticle(Settings settings, Clock clock, BlobStore blobs, DrainMetrics metrics) {
    this.settings = settings;
    this.clock = clock;
    this.blobs = blobs;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    pool = Database.pool(vertx, settings);
    drain = new Drain(pool, blobs, clock, settings.drainBatchSize(), settings.assetTrashRetention(), metrics);
    vertx.eventBus().<JsonObject>localConsumer(STATUS, msg -> msg.reply(status()));
    // The first tick at once: a server restarted mid-purge carries on the moment it is up.
    schedule(BUSY_PAUSE_MS);
    return Future.succeededFuture();
  }

  /** Running means a tick is under way or the next one is scheduled. Times are wall-clock. */
  private JsonObject status() {
    return new JsonObject()
      .put("running", !stopped && (tickStarted != null || timer >= 0))
      .put("interval", settings.drainInterval().toString())
      .put("tick_started_at", tickStarted == null ? null : tickStarted.toString())
      .put("last_tick_ended_at", lastTickEnded == null ? null : lastTickEnded.toString())
      .put("last_tick_ok", lastTickEnded == null ? null : lastTickOk);
  }

  /**
   * No tick starts after this; a tick under way stops after its current batch (see
   * {@link #batches}) and its sweep, and the stop completes when it has. A batch is one
   * transaction followed by its file deletions: it is left to finish rather than cut, so a graceful
   * stop leaves no listed-but-undeleted files behind. (A kill -9 cuts it anyway; the next sweep
   * cleans up, as CrashIT shows.)
   */
  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    Future<JsonObject> running = current;
    return running == null ? Future.succeededFuture() : running.<Void>transform(ar -> Future.succeededFuture());
  }

  private void schedule(long delayMillis) {
    if (!stopped) {
      timer = vertx.setTimer(delayMillis, id -> {
        timer = -1;
        current = tick();
        current.onComplete(ar -> {
          current = null;
          failuresInARow = ar.succeeded() ? 0 : failuresInARow + 1;
          long interval = settings.drainInterval().toMillis();
          schedule(ar.failed() ? backoff(interval, failuresInARow)
            : ar.result().getBoolean("more") ? BUSY_PAUSE_MS : interval);
        });
      });
    }
  }

  /**
   * The wait after the {@code failures}-th failed tick in a row: the interval, doubled for each
   * further failure, up to {@link #MAX_BACKOFF_MS} (or the interval, if that is longer). A drain
   * whose database is down does not hammer it, nor fill the log, and comes back within a minute.
   */
  static long backoff(long intervalMillis, int failures) {
    long cap = Math.max(intervalMillis, MAX_BACKOFF_MS);
    long wait = intervalMillis;
    for (int i = 1; i < failures && wait < cap; i++) {
      wait *= 2;
    }
    return Math.min(Math.max(wait, 1), cap);
  }

  /**
   * Up to the configured number of batches, stopping early when nothing is due. Answers what it
   * did, and {@code more}: whether it stopped at its quota, with work probably left.
   */
  public Future<JsonObject> tick() {
    tickStarted = Instant.now();
    int[] batchesRun = new int[1];
    return batches(0, 0, batchesRun).compose(purged -> drain.sweepDeletions(settings.drainBatchSize())
        .map(swept -> new JsonObject().put("assets_purged", purged).put("files_swept", swept)
          .put("more", batchesRun[0] >= settings.drainBatchesPerTick() || swept >= settings.drainBatchSize())))
      .compose(result -> backlog().map(result))
      .onComplete(ar -> {
        tickStarted = null;
        lastTickEnded = Instant.now();
        lastTickOk = ar.succeeded();
        metrics.tick(ar.succeeded(), ar.succeeded() ? ar.result().getInteger("files_swept") : 0);
      })
      .onFailure(e -> LOG.warn("drain tick failed, will retry next tick: {}", e.toString()));
  }

  /** Refreshes the backlog gauges; a query per tick, only when metrics are on. */
  private Future<Void> backlog() {
    if (!metrics.enabled()) {
      return Future.succeededFuture();
    }
    OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
    return pool.preparedQuery(DrainSql.BACKLOG).execute(Tuple.of(now)).map(rows -> {
      var r = rows.iterator().next();
      metrics.backlog(r.getLong("trashed"), r.getLong("due"), r.getLong("assets_due"));
      return null;
    });
  }

  private Future<Integer> batches(int done, int purged, int[] batchesRun) {
    batchesRun[0] = done;
    if (done >= settings.drainBatchesPerTick() || stopped) {
      return Future.succeededFuture(purged);
    }
    return drain.runBatch().compose(batch -> batch.idle()
      ? Future.succeededFuture(purged)
      : batches(done + 1, purged + batch.purgedAssets().size(), batchesRun));
  }
}
