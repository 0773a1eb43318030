package org.eucalypt.storage;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.FileSystem;
import io.vertx.core.file.FileSystemException;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.streams.ReadStream;

import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.UUID;

/**
 * Files on a local (or mounted shared) disk under {@code storage_dir}: {@code blobs/ab/cd/<key>}
 * for kept files and {@code staging/} for uploads in flight. A rename moves a staged file into
 * place, so a file under {@code blobs/} is always whole.
 */
public final class LocalBlobStore implements BlobStore {
  private static final int WRITE_BYTES = 1024 * 1024;
  private static final int WRITE_QUEUE_BYTES = 8 * 1024 * 1024;

  private final Vertx vertx;
  private final FileSystem fs;
  private final Path blobs;
  private final Path staging;

  public LocalBlobStore(Vertx vertx, String storageDir) {
    this.vertx = vertx;
    this.fs = vertx.fileSystem();
    Path root = Path.of(storageDir).toAbsolutePath();
    this.blobs = root.resolve("blobs");
    this.staging = root.resolve("staging");
  }

  @Override
  public Future<Void> init() {
    return fs.mkdirs(blobs.toString()).compose(v -> fs.mkdirs(staging.toString()));
  }

  /** Where a key's file is; keys are fanned out over two directory levels. */
  public Path path(String key) {
    return blobs.resolve(key.substring(0, 2)).resolve(key.substring(2, 4)).resolve(key);
  }

  public Path blobsRoot() {
    return blobs;
  }

  @Override
  public Future<StagedBlob> stage(ReadStream<Buffer> content, long maxBytes) {
    return new Staging(staging.resolve(UUID.randomUUID().toString()).toString(), maxBytes).run(content);
  }

  /**
   * One upload streaming into a staging file. Whatever happens — the client leaving before the
   * file is even open, halfway, or after the last byte, or the disk failing — the staged file is
   * either handed over whole or removed.
   */
  private final class Staging {
    private final String target;
    private final long maxBytes;
    private final Promise<StagedBlob> done = Promise.promise();
    private ReadStream<Buffer> content;
    private UploadDigests digests;
    private Buffer pending = Buffer.buffer(WRITE_BYTES + 64 * 1024);
    private long size;
    private boolean tooLarge;
    private boolean paused;
    private Future<AsyncFile> opening;
    private AsyncFile file;
    private Throwable failure;
    /** The last write asked for; writes run in order, so when it is done, all are. */
    private Future<Void> lastWrite = Future.succeededFuture();

    Staging(String target, long maxBytes) {
      this.target = target;
      this.maxBytes = maxBytes;
    }

    Future<StagedBlob> run(ReadStream<Buffer> content) {
      this.content = content;
      this.digests = new UploadDigests(vertx.getOrCreateContext(), this::resumeIfRoom);
      content.pause();
      opening = fs.open(target, new OpenOptions().setCreateNew(true).setWrite(true));
      // Listen for failure in the same turn as the open is asked for: a stream reports its
      // failure once, to the handler set at that moment, and one lost would leave the file behind.
      content.exceptionHandler(this::fail);
      opening.onComplete(opened -> {
        if (opened.failed()) {
          fail(new StorageFailures.StorageException(opened.cause()));
          return;
        }
        if (failure != null) {
          // fail() waits for this open too, and removes (perhaps already has) what it created.
          return;
        }
        file = opened.result();
        // Room for several MiB in flight: with the default 128 KiB the client is paused and
        // resumed every few writes, and the upload waits on the disk instead of overlapping it.
        file.setWriteQueueMaxSize(WRITE_QUEUE_BYTES);
        file.exceptionHandler(e -> fail(new StorageFailures.StorageException(e)));
        content.handler(this::write);
        content.endHandler(v -> finish());
        content.resume();
      });
      return done.future();
    }

    private void write(Buffer buf) {
      // Past the limit, or after a failure, the rest is read and dropped.
      if (tooLarge || failure != null) {
        return;
      }
      size += buf.length();
      if (size > maxBytes) {
        tooLarge = true;
        return;
      }
      // The HTTP decoder hands over chunks of 8 KiB; each file write is a hop to a worker thread
      // and a syscall, so chunks are gathered into writes of a MiB.
      pending.appendBuffer(buf);
      if (pending.length() >= WRITE_BYTES) {
        writePending();
        // Back-pressure: a slow disk or slow hashing pauses the client instead of growing memory.
        if (file.writeQueueFull() || digests.full()) {
          paused = true;
          content.pause();
          resumeIfRoom();
        }
      }
    }

    private void writePending() {
      if (pending.length() > 0) {
        digests.update(pending);
        // A failed write (ENOSPC, EIO) is reported on its own future, not to the exception
        // handler: unheard, a full disk used to keep a truncated file and answer 201.
        lastWrite = file.write(pending).onFailure(x -> fail(new StorageFailures.StorageException(x)));
        pending = Buffer.buffer(WRITE_BYTES + 64 * 1024);
      }
    }

    /** Resumes a paused client once both the file and the hashing have room again. */
    private void resumeIfRoom() {
      if (!paused || failure != null) {
        return;
      }
      if (file.writeQueueFull()) {
        // A drain handler is called once; the hashing calls back on its own when it has room.
        file.drainHandler(v -> resumeIfRoom());
      } else if (!digests.full()) {
        paused = false;
        content.resume();
      }
    }

    private void finish() {
      if (failure != null) {
        return;
      }
      if (!tooLarge) {
        writePending();
      }
      // Every write must have landed before the file is handed over whole.
      digests.finish().compose(hashes -> lastWrite
          .compose(x -> file.flush())
          .compose(x -> file.close())
          .map(x -> new StagedBlob(target, size, hashes[0], hashes[1], tooLarge)))
        .onSuccess(staged -> {
          if (failure == null) {
            done.tryComplete(staged);
          }
        })
        .onFailure(x -> fail(new StorageFailures.StorageException(x)));
    }

    private void fail(Throwable e) {
      if (failure != null || done.future().isComplete()) {
        return;
      }
      failure = e;
      // The rest of the body is read and dropped, so that the request ends and the answer can
      // go out: also when the failure came before the file was open, with the stream still paused.
      paused = false;
      content.handler(b -> { });
      content.resume();
      // The client hears of the failure only once the staged file is gone, even when the open
      // that creates it has not finished yet (answering first used to race the removal).
      opening.transform(opened -> opened.succeeded() ? removeFile(opened.result()) : Future.<Void>succeededFuture())
        .onComplete(x -> done.tryFail(e));
    }

    private Future<Void> removeFile(AsyncFile f) {
      return f.close().recover(x -> Future.succeededFuture()).compose(v -> ignoreMissing(fs.delete(target)));
    }
  }

  @Override
  public Future<Void> commit(StagedBlob staged, String key) {
    Path dest = path(key);
    return fs.mkdirs(dest.getParent().toString())
      .compose(v -> fs.move(staged.stagingPath(), dest.toString()));
  }

  @Override
  public Future<Void> discard(StagedBlob staged) {
    return ignoreMissing(fs.delete(staged.stagingPath()));
  }

  @Override
  public Future<Void> delete(String key) {
    return ignoreMissing(fs.delete(path(key).toString()));
  }

  @Override
  public Future<Boolean> exists(String key) {
    return fs.exists(path(key).toString());
  }

  @Override
  public Future<Path> localFile(String key, Path scratchDir) {
    Path file = path(key);
    return fs.exists(file.toString()).compose(found -> found ? Future.succeededFuture(file)
      : Future.failedFuture(new NoSuchFileException(file.toString(), null, "the stored file is missing")));
  }

  @Override
  public Future<Void> send(String key, long offset, long length, HttpServerResponse response) {
    return response.sendFile(path(key).toString(), offset, length);
  }

  /** Removes staged uploads older than {@code maxAgeMillis}: leftovers of a crash mid-upload. */
  @Override
  public Future<Void> sweepStaging(long maxAgeMillis) {
    long cutoff = System.currentTimeMillis() - maxAgeMillis;
    return fs.readDir(staging.toString()).compose(files -> {
      Future<Void> all = Future.succeededFuture();
      for (String f : files) {
        all = all.compose(v -> fs.props(f)
          .compose(p -> p.lastModifiedTime() < cutoff ? ignoreMissing(fs.delete(f)) : Future.succeededFuture())
          .recover(e -> Future.succeededFuture()));
      }
      return all;
    });
  }

  private static Future<Void> ignoreMissing(Future<Void> f) {
    return f.recover(e -> isMissing(e) ? Future.succeededFuture() : Future.failedFuture(e));
  }

  private static boolean isMissing(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof NoSuchFileException) {
        return true;
      }
    }
    return e instanceof FileSystemException && String.valueOf(e.getMessage()).contains("NoSuchFile");
  }
}
