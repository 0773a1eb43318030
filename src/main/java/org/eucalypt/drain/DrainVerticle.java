package org.eucalypt.drain;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import org.eucalypt.config.Settings;
import org.eucalypt.db.Database;
import org.eucalypt.storage.BlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;

/**
 * Runs the {@link Drain} on a timer. Each tick does at most {@code drain_batches_per_tick}
 * batches, so one huge library cannot starve the rest nor the API, then sweeps leftover files.
 * Ticks never overlap: the next is scheduled when the current one ends.
 */
public class DrainVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(DrainVerticle.class);

  private final Settings settings;
  private final Clock clock;
  private final BlobStore blobs;
  private Drain drain;
  private long timer = -1;
  private boolean stopped;

  public DrainVerticle(Settings settings, Clock clock, BlobStore blobs) {
    this.settings = settings;
    this.clock = clock;
    this.blobs = blobs;
  }

  @Override
  public Future<?> start() {
    drain = new Drain(Database.pool(vertx, settings), blobs, clock, settings.drainBatchSize(),
      settings.assetTrashRetention());
    schedule();
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  private void schedule() {
    if (!stopped) {
      timer = vertx.setTimer(settings.drainInterval().toMillis(), id -> tick().onComplete(ar -> schedule()));
    }
  }

  /** Up to the configured number of batches, stopping early when nothing is due. */
  public Future<JsonObject> tick() {
    return batches(0, 0).compose(purged -> drain.sweepDeletions(settings.drainBatchSize())
        .map(swept -> new JsonObject().put("assets_purged", purged).put("files_swept", swept)))
      .onFailure(e -> LOG.warn("drain tick failed, will retry next tick: {}", e.toString()));
  }

  private Future<Integer> batches(int done, int purged) {
    if (done >= settings.drainBatchesPerTick() || stopped) {
      return Future.succeededFuture(purged);
    }
    return drain.runBatch().compose(batch -> batch.idle()
      ? Future.succeededFuture(purged)
      : batches(done + 1, purged + batch.purgedAssets().size()));
  }
}
