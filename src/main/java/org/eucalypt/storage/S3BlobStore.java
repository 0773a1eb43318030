package org.eucalypt.storage;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.streams.ReadStream;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Error;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Stored files as objects of one S3 bucket (AWS, or any S3-compatible store), so that every
 * instance reaches every file. Keys are the asset's blob key as is.
 *
 * <p>An upload is first staged on this instance's local disk exactly as with {@link
 * LocalBlobStore} (streamed, hashed, capped); only once the database has accepted it is the staged
 * file streamed to S3 from disk, in one PUT up to {@link S3Clients#MULTIPART_THRESHOLD} and as a
 * multipart upload above it, then removed. A download streams the wanted byte range from S3 to the
 * client under back-pressure. Neither holds a whole file in memory.
 *
 * <p>Deletions keep the listed-deletion discipline ({@link ListedDeletions}): a file is deleted
 * only after the row is, and unlisted only once S3 confirmed it, a batch at a time with
 * DeleteObjects. S3 answers a delete of a missing key with success, which is what a retry needs.
 */
public final class S3BlobStore implements BlobStore {
  /** DeleteObjects takes at most this many keys. */
  static final int DELETE_BATCH = 1000;

  private final Vertx vertx;
  private final S3AsyncClient s3;
  private final String bucket;
  private final LocalBlobStore staging;

  public S3BlobStore(Vertx vertx, S3AsyncClient s3, String bucket, String storageDir) {
    this.vertx = vertx;
    this.s3 = s3;
    this.bucket = bucket;
    this.staging = new LocalBlobStore(vertx, storageDir);
  }

  @Override
  public Future<Void> init() {
    return staging.init().compose(v -> on(s3.headBucket(b -> b.bucket(bucket))))
      .recover(e -> Future.failedFuture(new IllegalStateException(
        "the S3 bucket '" + bucket + "' cannot be reached: " + rootMessage(e), e)))
      .mapEmpty();
  }

  @Override
  public Future<Void> sweepStaging(long maxAgeMillis) {
    return staging.sweepStaging(maxAgeMillis);
  }

  @Override
  public Future<StagedBlob> stage(ReadStream<Buffer> content, long maxBytes) {
    return staging.stage(content, maxBytes);
  }

  @Override
  public Future<Void> commit(StagedBlob staged, String key) {
    Path file = Path.of(staged.stagingPath());
    // From the file, so the SDK reads it part by part (and in parallel parts above the threshold).
    return on(s3.putObject(b -> b.bucket(bucket).key(key).contentLength(staged.size()), AsyncRequestBody.fromFile(file)))
      .compose(v -> staging.discard(staged));
  }

  @Override
  public Future<Void> discard(StagedBlob staged) {
    return staging.discard(staged);
  }

  @Override
  public Future<Void> delete(String key) {
    return on(s3.deleteObject(b -> b.bucket(bucket).key(key))).mapEmpty();
  }

  @Override
  public Future<List<String>> deleteAll(List<String> keys) {
    List<Future<List<String>>> batches = new ArrayList<>();
    for (int i = 0; i < keys.size(); i += DELETE_BATCH) {
      List<String> batch = keys.subList(i, Math.min(keys.size(), i + DELETE_BATCH));
      List<ObjectIdentifier> ids = batch.stream().map(k -> ObjectIdentifier.builder().key(k).build()).toList();
      batches.add(on(s3.deleteObjects(b -> b.bucket(bucket).delete(Delete.builder().objects(ids).quiet(true).build())))
        .map(response -> goneOf(batch, response))
        // A batch that failed as a whole: none of it is known to be gone.
        .otherwise(e -> List.of()));
    }
    return Future.all(batches).map(all -> {
      List<String> gone = new ArrayList<>(keys.size());
      for (int i = 0; i < all.size(); i++) {
        gone.addAll(all.<List<String>>resultAt(i));
      }
      return gone;
    });
  }

  /** Quiet mode lists only the failures; every other key of the batch went. */
  private static List<String> goneOf(List<String> batch, DeleteObjectsResponse response) {
    Set<String> failed = new HashSet<>();
    for (S3Error e : response.errors()) {
      failed.add(e.key());
    }
    return batch.stream().filter(k -> !failed.contains(k)).toList();
  }

  @Override
  public Future<Boolean> exists(String key) {
    return on(s3.headObject(b -> b.bucket(bucket).key(key))).map(true)
      .recover(e -> unwrap(e) instanceof NoSuchKeyException
        || (unwrap(e) instanceof software.amazon.awssdk.services.s3.model.S3Exception s3e && s3e.statusCode() == 404)
        ? Future.succeededFuture(false) : Future.failedFuture(e));
  }

  /** Downloads the object into {@code scratchDir}: the SDK writes it to the file as it arrives. */
  @Override
  public Future<Path> localFile(String key, Path scratchDir) {
    Path target = scratchDir.resolve("s3-" + UUID.randomUUID());
    return on(s3.getObject(b -> b.bucket(bucket).key(key), AsyncResponseTransformer.toFile(target))).map(target);
  }

  /**
   * Streams bytes {@code offset} to {@code offset + length - 1} of the object to the response,
   * asking S3 for the next chunk only once the client has taken the previous one.
   */
  @Override
  public Future<Void> send(String key, long offset, long length, HttpServerResponse response) {
    if (length == 0) {
      return response.end();
    }
    Context ctx = vertx.getOrCreateContext();
    Promise<Void> done = Promise.promise();
    String range = "bytes=" + offset + "-" + (offset + length - 1);
    s3.getObject(b -> b.bucket(bucket).key(key).range(range), AsyncResponseTransformer.toPublisher())
      .whenComplete((publisher, err) -> {
        if (err != null) {
          ctx.runOnContext(v -> done.tryFail(unwrap(err)));
          return;
        }
        publisher.subscribe(new Subscriber<ByteBuffer>() {
          private Subscription subscription;

          @Override
          public void onSubscribe(Subscription s) {
            subscription = s;
            s.request(1);
          }

          @Override
          public void onNext(ByteBuffer bytes) {
            byte[] copy = new byte[bytes.remaining()];
            bytes.get(copy);
            ctx.runOnContext(v -> {
              response.write(Buffer.buffer(copy)).onFailure(e -> {
                // The client went away: stop reading from S3.
                subscription.cancel();
                done.tryFail(e);
              });
              if (response.writeQueueFull()) {
                response.drainHandler(x -> subscription.request(1));
              } else {
                subscription.request(1);
              }
            });
          }

          @Override
          public void onError(Throwable t) {
            ctx.runOnContext(v -> {
              done.tryFail(t);
              // Headers are gone already: cutting the connection is how the client learns.
              response.reset();
            });
          }

          @Override
          public void onComplete() {
            ctx.runOnContext(v -> response.end().onComplete(done));
          }
        });
      });
    return done.future();
  }

  @Override
  public Future<Void> close() {
    s3.close();
    return Future.succeededFuture();
  }

  /** An SDK future as a Vert.x one, completed on the caller's context. */
  private <T> Future<T> on(CompletableFuture<T> f) {
    Context ctx = vertx.getOrCreateContext();
    Promise<T> p = Promise.promise();
    f.whenComplete((value, err) -> ctx.runOnContext(v -> {
      if (err != null) {
        p.fail(unwrap(err));
      } else {
        p.complete(value);
      }
    }));
    return p.future();
  }

  private static Throwable unwrap(Throwable e) {
    return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() != null ? t.getMessage() : t.toString();
  }
}
