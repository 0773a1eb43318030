package org.eucalypt.storage;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The SHA-256 and SHA-1 of an upload, computed off the event loop while the upload streams in.
 * Both digests cost about 0.3 CPU-seconds per 100 MiB: on the event loop that time adds to every
 * upload's duration and holds up every other request on that loop; here it overlaps the receiving.
 * The chunks of one upload are hashed in order (each update waits for the previous one); the
 * chunks of different uploads are hashed in parallel.
 */
final class UploadDigests {
  /** Bytes queued for hashing past which the upload should pause its client. */
  static final int MAX_QUEUED_BYTES = 8 * 1024 * 1024;

  private static final AtomicInteger THREADS = new AtomicInteger();
  private static final ExecutorService HASHERS = Executors.newFixedThreadPool(
    Math.max(2, Runtime.getRuntime().availableProcessors()), r -> {
      Thread t = new Thread(r, "eucalypt-hash-" + THREADS.incrementAndGet());
      t.setDaemon(true);
      return t;
    });

  private final Context context;
  private final Runnable onRoom;
  private final MessageDigest sha256 = digest("SHA-256");
  private final MessageDigest sha1 = digest("SHA-1");
  private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);
  private long queued;

  /**
   * @param context the upload's context: {@code onRoom} runs on it when the queue drops back
   *                under {@link #MAX_QUEUED_BYTES}
   */
  UploadDigests(Context context, Runnable onRoom) {
    this.context = context;
    this.onRoom = onRoom;
  }

  /** Queues a chunk; the caller must not change it afterwards. Call on the upload's context. */
  void update(Buffer chunk) {
    int length = chunk.length();
    ByteBuffer bytes = ((BufferInternal) chunk).getByteBuf().nioBuffer();
    queued += length;
    tail = tail.thenRunAsync(() -> {
      sha256.update(bytes.duplicate());
      sha1.update(bytes);
    }, HASHERS);
    tail.whenComplete((v, e) -> context.runOnContext(x -> {
      boolean wasFull = full();
      queued -= length;
      if (wasFull && !full()) {
        onRoom.run();
      }
    }));
  }

  /** Whether the client should wait for the hashing to catch up. */
  boolean full() {
    return queued > MAX_QUEUED_BYTES;
  }

  /** The two digests, once every queued chunk is hashed: {@code [sha256, sha1]}. */
  Future<byte[][]> finish() {
    return Future.fromCompletionStage(tail.thenApply(v -> new byte[][] {sha256.digest(), sha1.digest()}), context);
  }

  private static MessageDigest digest(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
