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
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * Files on a local (or mounted shared) disk under {@code storage_dir}: {@code blobs/ab/cd/<key>}
 * for kept files and {@code staging/} for uploads in flight. A rename moves a staged file into
 * place, so a file under {@code blobs/} is always whole.
 */
public final class LocalBlobStore implements BlobStore {
  private final FileSystem fs;
  private final Path blobs;
  private final Path staging;

  public LocalBlobStore(Vertx vertx, String storageDir) {
    this.fs = vertx.fileSystem();
    Path root = Path.of(storageDir).toAbsolutePath();
    this.blobs = root.resolve("blobs");
    this.staging = root.resolve("staging");
  }

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
    private final MessageDigest sha256 = digest("SHA-256");
    private final MessageDigest sha1 = digest("SHA-1");
    private final Promise<StagedBlob> done = Promise.promise();
    private long size;
    private boolean tooLarge;
    private AsyncFile file;
    private Throwable failure;

    Staging(String target, long maxBytes) {
      this.target = target;
      this.maxBytes = maxBytes;
    }

    Future<StagedBlob> run(ReadStream<Buffer> content) {
      content.pause();
      // Listen for failure before the file is open: a stream reports its failure once, to the
      // handler set at that moment, and one lost here would leave the file behind for good.
      content.exceptionHandler(this::fail);
      fs.open(target, new OpenOptions().setCreateNew(true).setWrite(true)).onComplete(opened -> {
        if (opened.failed()) {
          fail(opened.cause());
          return;
        }
        file = opened.result();
        if (failure != null) {
          removeFile();
          return;
        }
        file.exceptionHandler(this::fail);
        content.handler(buf -> write(content, buf));
        content.endHandler(v -> finish());
        content.resume();
      });
      return done.future();
    }

    private void write(ReadStream<Buffer> content, Buffer buf) {
      // Past the limit, or after a failure, the rest is read and dropped.
      if (tooLarge || failure != null) {
        return;
      }
      size += buf.length();
      if (size > maxBytes) {
        tooLarge = true;
        return;
      }
      byte[] bytes = buf.getBytes();
      sha256.update(bytes);
      sha1.update(bytes);
      file.write(buf);
      // Back-pressure: a slow disk pauses the client instead of growing memory.
      if (file.writeQueueFull()) {
        content.pause();
        file.drainHandler(v -> content.resume());
      }
    }

    private void finish() {
      if (failure != null) {
        return;
      }
      file.flush()
        .compose(x -> file.close())
        .onSuccess(x -> done.tryComplete(new StagedBlob(target, size, sha256.digest(), sha1.digest(), tooLarge)))
        .onFailure(this::fail);
    }

    private void fail(Throwable e) {
      if (failure != null || done.future().isComplete()) {
        return;
      }
      failure = e;
      // Without a file yet, the open removes what it creates once it sees the failure.
      (file == null ? Future.<Void>succeededFuture() : removeFile()).onComplete(x -> done.tryFail(e));
    }

    private Future<Void> removeFile() {
      return file.close().recover(x -> Future.succeededFuture()).compose(v -> ignoreMissing(fs.delete(target)));
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
  public Future<Void> send(String key, long offset, long length, HttpServerResponse response) {
    return response.sendFile(path(key).toString(), offset, length);
  }

  /** Removes staged uploads older than {@code maxAgeMillis}: leftovers of a crash mid-upload. */
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

  private static MessageDigest digest(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
