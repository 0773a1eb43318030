package org.eucalypt.drain;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The drain's own meters, exported by {@code GET /metrics} with these Prometheus names:
 * <ul>
 *   <li>{@code eucalypt_drain_libraries_awaiting_purge}: trashed libraries not yet removed (restorable or not);</li>
 *   <li>{@code eucalypt_drain_libraries_due}: those whose window has passed, the drain's backlog, and
 *       {@code eucalypt_drain_assets_due}, the assets they still hold;</li>
 *   <li>{@code eucalypt_drain_assets_purged_total}, {@code eucalypt_drain_libraries_removed_total},
 *       {@code eucalypt_drain_batches_total}, {@code eucalypt_drain_files_swept_total};</li>
 *   <li>{@code eucalypt_drain_batch_duration_seconds}: a histogram of the batches that did work;</li>
 *   <li>{@code eucalypt_drain_ticks_total{result="ok"|"failed"}} and
 *       {@code eucalypt_drain_last_tick_timestamp_seconds}: when the last tick ended well (Unix time, wall clock).</li>
 * </ul>
 * Without a registry (metrics off) every method does nothing.
 */
public final class DrainMetrics {
  public static final String BATCH_DURATION = "eucalypt.drain.batch.duration";
  public static final DrainMetrics NONE = new DrainMetrics(null);

  private final MeterRegistry registry;
  private final Counter assetsPurged;
  private final Counter librariesRemoved;
  private final Counter batches;
  private final Counter filesSwept;
  private final Counter ticksOk;
  private final Counter ticksFailed;
  private final Timer batchDuration;
  private final AtomicLong awaiting = new AtomicLong();
  private final AtomicLong due = new AtomicLong();
  private final AtomicLong assetsDue = new AtomicLong();
  private final AtomicLong lastTickMillis = new AtomicLong();

  private DrainMetrics(MeterRegistry registry) {
    this.registry = registry;
    if (registry == null) {
      assetsPurged = librariesRemoved = batches = filesSwept = ticksOk = ticksFailed = null;
      batchDuration = null;
      return;
    }
    assetsPurged = Counter.builder("eucalypt.drain.assets.purged")
      .description("Assets the drain deleted for good, with their files").register(registry);
    librariesRemoved = Counter.builder("eucalypt.drain.libraries.removed")
      .description("Trashed libraries the drain emptied and removed").register(registry);
    batches = Counter.builder("eucalypt.drain.batches")
      .description("Drain batches that did work (one transaction each)").register(registry);
    filesSwept = Counter.builder("eucalypt.drain.files.swept")
      .description("Listed files removed by the sweep (left by a crash or an unfinished upload)").register(registry);
    ticksOk = Counter.builder("eucalypt.drain.ticks").tag("result", "ok")
      .description("Drain ticks, by outcome").register(registry);
    ticksFailed = Counter.builder("eucalypt.drain.ticks").tag("result", "failed")
      .description("Drain ticks, by outcome").register(registry);
    batchDuration = Timer.builder(BATCH_DURATION)
      .description("Time of one drain batch that did work, files included").register(registry);
    // Held strongly: Micrometer keeps a gauge's object by a weak reference, so once the drain that
    // owned these was undeployed (a test's, or a stopped server's still scraped) a collection
    // turned the last values into NaN.
    Gauge.builder("eucalypt.drain.libraries.awaiting.purge", awaiting, AtomicLong::doubleValue).strongReference(true)
      .description("Trashed libraries not yet removed, as of the last tick").register(registry);
    Gauge.builder("eucalypt.drain.libraries.due", due, AtomicLong::doubleValue).strongReference(true)
      .description("Trashed libraries past their retention window, as of the last tick").register(registry);
    Gauge.builder("eucalypt.drain.assets.due", assetsDue, AtomicLong::doubleValue).strongReference(true)
      .description("Assets left in libraries past their retention window, as of the last tick").register(registry);
    Gauge.builder("eucalypt.drain.last.tick.timestamp", lastTickMillis, v -> v.get() / 1000.0).strongReference(true)
      .description("When the last drain tick ended well, in seconds since the epoch (0: none yet)")
      .baseUnit("seconds").register(registry);
  }

  /** Meters in this registry; {@link #NONE} when it is null. */
  public static DrainMetrics of(MeterRegistry registry) {
    return registry == null ? NONE : new DrainMetrics(registry);
  }

  public boolean enabled() {
    return registry != null;
  }

  void batch(int assets, boolean libraryRemoved, long nanos) {
    if (registry == null) {
      return;
    }
    batches.increment();
    assetsPurged.increment(assets);
    if (libraryRemoved) {
      librariesRemoved.increment();
    }
    batchDuration.record(nanos, TimeUnit.NANOSECONDS);
  }

  void tick(boolean ok, int swept) {
    if (registry == null) {
      return;
    }
    if (ok) {
      ticksOk.increment();
      lastTickMillis.set(System.currentTimeMillis());
    } else {
      ticksFailed.increment();
    }
    filesSwept.increment(swept);
  }

  void backlog(long trashed, long dueLibraries, long dueAssets) {
    awaiting.set(trashed);
    due.set(dueLibraries);
    assetsDue.set(dueAssets);
  }
}
