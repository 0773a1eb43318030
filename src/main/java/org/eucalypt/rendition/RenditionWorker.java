package org.eucalypt.rendition;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.eucalypt.asset.PhotoMetadata;
import org.eucalypt.storage.BlobStore;
import org.eucalypt.storage.ListedDeletions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Works the queue one task at a time: claim (SKIP LOCKED, a lease), render in child processes on
 * the rendition pool, store the files through the blob store, record them. Any number of workers,
 * in any number of instances, may run this side by side.
 *
 * <p>No file is ever left behind: each key is listed for deletion before its file is stored, and
 * unlisted only in the transaction that records it, which first takes a key-share lock on the
 * asset. If the asset is gone by then (deleted meanwhile), or another worker recorded the variant
 * first, or this worker's lease was taken over, the files are deleted again at once; if the
 * worker dies, the drain's sweep deletes them once the listing falls due.
 */
public final class RenditionWorker {
  private static final Logger LOG = LoggerFactory.getLogger(RenditionWorker.class);

  /** A claim that was never recorded leaves its files to the sweep after this long. */
  static final Duration INTENT_TTL = Duration.ofHours(24);
  /** A recording must still have this long before the sweep would take its files. */
  static final Duration INTENT_MARGIN = Duration.ofHours(1);
  /** Attempts in all, first included: a file that crashes every worker stops being tried. */
  static final int MAX_ATTEMPTS = 3;
  /** Before a retry: longer after each failure. */
  static final Duration RETRY_BACKOFF = Duration.ofMinutes(1);

  private final Vertx vertx;
  private final Pool pool;
  private final BlobStore blobs;
  private final ListedDeletions deletions;
  private final WorkerExecutor executor;
  private final Clock clock;
  private final Duration lease;
  private final ImageRenditions images;
  private final VideoRenditions videos;
  private final Interleaving interleaving;

  /**
   * Where a test can put a concurrent change between the steps of a task: after its files are
   * stored, and inside the recording transaction once the asset is locked.
   */
  interface Interleaving {
    Interleaving NONE = new Interleaving() { };

    default Future<Void> afterStored(UUID asset) {
      return Future.succeededFuture();
    }

    default Future<Void> whileRecording(UUID asset) {
      return Future.succeededFuture();
    }
  }

  public RenditionWorker(Vertx vertx, Pool pool, BlobStore blobs, WorkerExecutor executor, Clock clock,
                         RenditionLimits limits) {
    this(vertx, pool, blobs, executor, clock, limits, Interleaving.NONE);
  }

  RenditionWorker(Vertx vertx, Pool pool, BlobStore blobs, WorkerExecutor executor, Clock clock,
                  RenditionLimits limits, Interleaving interleaving) {
    this.vertx = vertx;
    this.pool = pool;
    this.blobs = blobs;
    this.deletions = new ListedDeletions(pool, blobs);
    this.executor = executor;
    this.clock = clock;
    this.lease = lease(limits);
    this.images = new ImageRenditions(limits);
    this.videos = new VideoRenditions(limits, images);
    this.interleaving = interleaving;
  }

  /**
   * How long a claim holds its task: room for every child process a task may run (header, four
   * variants, ThumbHash, probe and still) to use its whole timeout, twice, since a claimed task
   * may first wait for a decoder behind another loop's (RenditionVerticle runs two loops per
   * decoder). A slow task is never taken over while it runs.
   */
  static Duration lease(RenditionLimits limits) {
    return limits.timeout().multipliedBy(20);
  }

  /** A claimed task: its claim's attempt number is its token. */
  record Claim(UUID task, UUID asset, TaskType type, int attempt, String blobKey, String mimeType) {
  }

  /** What a task made, not yet stored: files, and facts for the asset's rows. */
  private record Outcome(List<Rendered.Made> files, boolean ofVideo, String thumbhash, JsonObject metadata,
                         Double duration, String result) {
  }

  /** One stored file and the key it went under. */
  private record Stored(Rendered.Made made, String variant, String key) {
  }

  private OffsetDateTime now() {
    return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
  }

  /** Claims and runs one task; answers whether there was one. */
  public Future<Boolean> runOne() {
    OffsetDateTime now = now();
    return pool.preparedQuery(TaskSql.GIVE_UP).execute(Tuple.of(now, MAX_ATTEMPTS))
      .compose(v -> pool.preparedQuery(TaskSql.CLAIM).execute(Tuple.of(now, now.plus(lease), MAX_ATTEMPTS)))
      .compose(rows -> {
        if (rows.size() == 0) {
          return Future.succeededFuture(false);
        }
        Row r = rows.iterator().next();
        Claim claim = new Claim(r.getUUID("id"), r.getUUID("asset_id"), TaskType.of(r.getString("task_type")),
          r.getInteger("attempts"), r.getString("blob_key"), r.getString("mime_type"));
        return run(claim).map(true);
      });
  }

  private Future<Void> run(Claim claim) {
    List<Stored> stored = new ArrayList<>();
    return vertx.fileSystem().createTempDirectory("eucalypt-rendition-").compose(dir -> {
      Path work = Path.of(dir);
      return blobs.localFile(claim.blobKey(), work)
        .compose(original -> executor.executeBlocking(() -> perform(claim, original, work), false))
        .compose(outcome -> store(claim, outcome, stored).map(outcome))
        .compose(outcome -> interleaving.afterStored(claim.asset()).map(outcome))
        .compose(outcome -> record(claim, outcome, stored))
        .recover(e -> discard(keys(stored)).transform(x -> failed(claim, e)))
        .eventually(() -> vertx.fileSystem().deleteRecursive(work.toString()).otherwiseEmpty());
    });
  }

  /** The blocking part, on the rendition pool: child processes and file parsing. */
  private Outcome perform(Claim claim, Path original, Path work) throws RenditionException {
    switch (claim.type()) {
      case DISPLAY_PROXY_GENERATION -> {
        Rendered r = images.render(original, work, false);
        return new Outcome(r.variants(), false, r.thumbhash(), PhotoMetadata.read(original).details().toJson(), null,
          "made " + names(r.variants(), false));
      }
      case VIDEO_THUMBNAIL_EXTRACT -> {
        Rendered r = videos.render(original, videos.probe(original, work), work);
        return new Outcome(r.variants(), true, r.thumbhash(), null, null, "made " + names(r.variants(), true));
      }
      case VIDEO_METADATA_EXTRACT -> {
        VideoRenditions.Probe probe = videos.probe(original, work);
        JsonObject metadata = PhotoMetadata.read(original).details().toJson().put("fps", probe.fps());
        return new Outcome(List.of(), true, null, metadata, probe.durationSeconds(),
          "duration " + probe.durationSeconds() + " s, " + probe.fps() + " fps");
      }
      default -> throw new IllegalStateException("no work defined for " + claim.type());
    }
  }

  private static String names(List<Rendered.Made> made, boolean ofVideo) {
    return String.join(", ", made.stream().map(m -> m.variant().key(ofVideo)).toList());
  }

  /** Lists every key for deletion (far off), then stores each file under its key. */
  private Future<Void> store(Claim claim, Outcome outcome, List<Stored> stored) {
    if (outcome.files().isEmpty()) {
      return Future.succeededFuture();
    }
    List<Stored> planned = new ArrayList<>();
    for (Rendered.Made m : outcome.files()) {
      String variant = m.variant().key(outcome.ofVideo());
      // Random per attempt: two workers rendering the same task never write the same file.
      String key = claim.asset() + "-" + variant + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
      planned.add(new Stored(m, variant, key));
    }
    String[] keys = planned.stream().map(Stored::key).toArray(String[]::new);
    return pool.preparedQuery(TaskSql.INTENT).execute(Tuple.of(keys, now().plus(INTENT_TTL)))
      .compose(v -> {
        stored.addAll(planned);
        Future<Void> chain = Future.succeededFuture();
        for (Stored s : planned) {
          chain = chain.compose(x -> storeFile(s));
        }
        return chain;
      });
  }

  private Future<Void> storeFile(Stored s) {
    return vertx.fileSystem().open(s.made().file().toString(), new OpenOptions().setRead(true))
      .compose(file -> blobs.stage(file, Long.MAX_VALUE))
      .compose(staged -> blobs.commit(staged, s.key()));
  }

  /**
   * Records the task's outcome in one transaction, while the asset is locked; answers nothing,
   * but deletes again at once the files that were not recorded.
   */
  private Future<Void> record(Claim claim, Outcome outcome, List<Stored> stored) {
    OffsetDateTime now = now();
    Set<String> kept = new HashSet<>();
    return pool.withTransaction(tx -> tx.preparedQuery(TaskSql.LOCK_ASSET).execute(Tuple.of(claim.asset()))
      .compose(locked -> {
        if (locked.size() == 0) {
          LOG.debug("asset {} was deleted while its {} ran", claim.asset(), claim.type().apiName());
          return Future.succeededFuture();
        }
        return interleaving.whileRecording(claim.asset())
          .compose(v -> tx.preparedQuery(TaskSql.SUCCEED).execute(Tuple.of(claim.task(), claim.attempt(), now,
            outcome.result())))
          .compose(succeeded -> succeeded.size() == 0
            // Our lease ran out and another worker has the task now: what we made is not ours to record.
            ? Future.succeededFuture()
            : recordOutcome(tx, claim, outcome, stored, now, kept));
      }))
      .compose(v -> discard(keys(stored).stream().filter(k -> !kept.contains(k)).toList()));
  }

  private Future<Void> recordOutcome(SqlConnection tx, Claim claim, Outcome outcome, List<Stored> stored,
                                     OffsetDateTime now, Set<String> kept) {
    Future<Void> files = stored.isEmpty() ? Future.succeededFuture() : tx.preparedQuery(TaskSql.INSERT_RENDITIONS)
      .execute(Tuple.from(new Object[] {claim.asset(),
        stored.stream().map(Stored::variant).toArray(String[]::new),
        stored.stream().map(Stored::key).toArray(String[]::new),
        stored.stream().map(s -> s.made().mimeType()).toArray(String[]::new),
        stored.stream().map(s -> s.made().width()).toArray(Integer[]::new),
        stored.stream().map(s -> s.made().height()).toArray(Integer[]::new),
        stored.stream().map(s -> s.made().bytes()).toArray(Long[]::new),
        now}))
      .compose(inserted -> {
        inserted.forEach(r -> kept.add(r.getString("blob_key")));
        String[] keys = kept.toArray(String[]::new);
        return tx.preparedQuery(TaskSql.CLAIM_INTENTS).execute(Tuple.of(keys, now.plus(INTENT_MARGIN)));
      })
      .compose(claimed -> claimed.size() == kept.size() ? Future.<Void>succeededFuture()
        : Future.failedFuture(new IllegalStateException("a sweep took this task's files: its listing ran out")));
    return files
      .compose(v -> outcome.thumbhash() == null ? Future.succeededFuture()
        : tx.preparedQuery(TaskSql.SET_THUMBHASH).execute(Tuple.of(claim.asset(), outcome.thumbhash())).mapEmpty())
      .compose(v -> outcome.duration() == null ? Future.succeededFuture()
        : tx.preparedQuery(TaskSql.SET_DURATION).execute(Tuple.of(claim.asset(), outcome.duration())).mapEmpty())
      .compose(v -> outcome.metadata() == null ? Future.succeededFuture()
        : tx.preparedQuery(TaskSql.UPSERT_METADATA).execute(Tuple.of(claim.asset(), outcome.metadata(), now)).mapEmpty());
  }

  /**
   * Files that will not be recorded: those still listed are made due now, then deleted and
   * unlisted. A key already recorded is not listed, so its file is safe from this whatever the path.
   */
  private Future<Void> discard(List<String> keys) {
    if (keys.isEmpty()) {
      return Future.succeededFuture();
    }
    return pool.preparedQuery(TaskSql.DUE_NOW).execute(Tuple.of(keys.toArray(String[]::new), now()))
      .compose(listed -> {
        List<String> due = new ArrayList<>(listed.size());
        listed.forEach(r -> due.add(r.getString("blob_key")));
        return deletions.deleteListed(due);
      });
  }

  private static List<String> keys(List<Stored> stored) {
    return stored.stream().map(Stored::key).toList();
  }

  /** The file's fault fails the task now; anything else is retried, a bounded number of times. */
  private Future<Void> failed(Claim claim, Throwable e) {
    boolean retry = !(e instanceof RenditionException re) || re.retryable();
    String message = e instanceof RenditionException ? e.getMessage() : e.getClass().getSimpleName() + ": " + e.getMessage();
    OffsetDateTime now = now();
    boolean again = retry && claim.attempt() < MAX_ATTEMPTS;
    LOG.atWarn().addKeyValue("event", "task_failed").addKeyValue("task_id", claim.task())
      .addKeyValue("asset_id", claim.asset()).addKeyValue("task_type", claim.type().apiName())
      .addKeyValue("attempt", claim.attempt()).addKeyValue("will_retry", again)
      .log("{} of asset {} failed (attempt {}{}): {}", claim.type().apiName(), claim.asset(), claim.attempt(),
        again ? ", will retry" : "", message);
    return again
      ? pool.preparedQuery(TaskSql.RETRY).execute(Tuple.of(claim.task(), claim.attempt(),
        now.plus(RETRY_BACKOFF.multipliedBy(claim.attempt())), message)).mapEmpty()
      : pool.preparedQuery(TaskSql.FAIL).execute(Tuple.of(claim.task(), claim.attempt(), now, message)).mapEmpty();
  }
}
