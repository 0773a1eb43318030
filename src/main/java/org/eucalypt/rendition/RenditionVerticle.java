package org.eucalypt.rendition;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import org.eucalypt.config.DatabaseUrl;
import org.eucalypt.config.Settings;
import org.eucalypt.db.Database;
import org.eucalypt.storage.BlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Works the renditions queue in this process: {@link #loops} loops, each running one task at a
 * time, their decoding on a worker pool of {@code workers} threads, so at most that many decoders
 * run here at once. A loop that finds work takes the next task at once; one that finds none
 * looks again after {@link #IDLE_POLL_MS}, or as soon as a new task is announced on
 * {@link TaskSql#CHANNEL} (the upload's NOTIFY, heard by every instance), so a photo's thumbnail
 * does not wait for the poll. The poll stays: it is what finds retries falling due and a lost
 * worker's task. Every instance runs its own; the queue's claims keep them apart.
 *
 * <p>A stop does not wait for tasks under way (a video may take minutes): their leases run out
 * and another worker takes them; the files they stored are listed and swept.
 */
public final class RenditionVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(RenditionVerticle.class);
  static final long IDLE_POLL_MS = 2_000;
  /** What the queue's tasks run; without them tasks fail, saying which is missing. */
  static final List<String> TOOLS = List.of("vips", "vipsheader", "ffmpeg", "ffprobe");

  private final Settings settings;
  private final Clock clock;
  private final BlobStore blobs;
  private final RenditionLimits limits;
  private final long idlePollMs;
  private Pool pool;
  private WorkerExecutor executor;
  private RenditionWorker worker;
  private PgSubscriber subscriber;
  /** The timers of the loops now idle: a new task cancels them and runs those loops at once. */
  private final Set<Long> idle = ConcurrentHashMap.newKeySet();
  private boolean stopped;

  public RenditionVerticle(Settings settings, Clock clock, BlobStore blobs, RenditionLimits limits) {
    this(settings, clock, blobs, limits, IDLE_POLL_MS);
  }

  RenditionVerticle(Settings settings, Clock clock, BlobStore blobs, RenditionLimits limits, long idlePollMs) {
    this.settings = settings;
    this.clock = clock;
    this.blobs = blobs;
    this.limits = limits;
    this.idlePollMs = idlePollMs;
  }

  /**
   * Twice as many loops as decoders: while one loop stores and records what it made (the blob
   * store, fsyncs, a transaction) and claims its next task, another's decoder runs, so a decoder
   * slot never waits on the database or the disk. The executor, of {@code workers} threads, still
   * lets at most that many decoders run at once; a claimed task waits its turn under its lease.
   */
  int loops() {
    return 2 * limits.workers();
  }

  /** Whether new tasks are heard of now (the subscriber is connected). */
  boolean listening() {
    return subscriber != null && subscriber.actualConnection() != null;
  }

  /** How many loops wait for their next poll (or a new task) right now. */
  int idleLoops() {
    return idle.size();
  }

  @Override
  public Future<?> start() {
    pool = Database.pool(vertx, settings);
    // The pool's threads are where the child processes are waited for; the longest a task may
    // take is its lease, so Vert.x's blocked-thread warning is set past it.
    executor = vertx.createSharedWorkerExecutor("eucalypt-renditions", limits.workers(),
      RenditionWorker.lease(limits).toNanos(), TimeUnit.NANOSECONDS);
    worker = new RenditionWorker(vertx, pool, blobs, executor, clock, limits);
    List<String> missing = missingTools();
    if (!missing.isEmpty()) {
      LOG.atWarn().addKeyValue("event", "rendition_tools_missing").addKeyValue("missing", missing)
        .log("renditions: {} not installed (apt-get install libvips-tools ffmpeg); their tasks will fail saying so",
          missing);
    }
    for (int i = 0; i < loops(); i++) {
      loop();
    }
    subscriber = PgSubscriber.subscriber(vertx, Database.connectOptions(DatabaseUrl.parse(settings.databaseUrl())))
      .reconnectPolicy(attempt -> 1000L);
    subscriber.channel(TaskSql.CHANNEL).handler(payload -> wake());
    // Not hearing of new tasks only makes them wait for the poll: the start does not depend on it.
    subscriber.connect().onFailure(e -> LOG.warn("renditions: not listening for new tasks ({}); polling every {} ms",
      e.toString(), idlePollMs));
    return Future.succeededFuture();
  }

  /** Runs every idle loop now instead of at its next poll. */
  private void wake() {
    for (long timer : List.copyOf(idle)) {
      if (vertx.cancelTimer(timer)) {
        idle.remove(timer);
        loop();
      }
    }
  }

  private void loop() {
    if (stopped) {
      return;
    }
    worker.runOne().onComplete(ran -> {
      if (ran.failed()) {
        LOG.warn("renditions: a round of the queue failed: {}", ran.cause().toString());
      }
      if (stopped) {
        return;
      }
      if (ran.succeeded() && ran.result()) {
        vertx.runOnContext(v -> loop());
      } else {
        long[] timer = new long[1];
        timer[0] = vertx.setTimer(idlePollMs, id -> {
          idle.remove(timer[0]);
          loop();
        });
        idle.add(timer[0]);
      }
    });
  }

  /** The tools not found on the PATH, in {@link #TOOLS}' order. */
  public static List<String> missingTools() {
    List<String> missing = new ArrayList<>();
    for (String tool : TOOLS) {
      boolean found = false;
      for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
        if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
          found = true;
          break;
        }
      }
      if (!found) {
        missing.add(tool);
      }
    }
    return missing;
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    executor.close();
    return Future.all(subscriber.close(), pool.close());
  }
}
