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
    String target = staging.resolve(UUID.randomUUID().toString()).toString();
    MessageDigest sha256 = digest("SHA-256");
    MessageDigest sha1 = digest("SHA-1");
    long[] size = {0};
    boolean[] tooLarge = {false};
    content.pause();
    return fs.open(target, new OpenOptions().setCreateNew(true).setWrite(true)).compose(file -> {
      Promise<StagedBlob> done = Promise.promise();
      file.exceptionHandler(e -> file.close().onComplete(v -> fs.delete(target).onComplete(x -> done.tryFail(e))));
      content.handler(buf -> {
        if (tooLarge[0]) {
          return;
        }
        size[0] += buf.length();
        if (size[0] > maxBytes) {
          tooLarge[0] = true;
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
      });
      content.exceptionHandler(e -> file.close().onComplete(v -> fs.delete(target).onComplete(x -> done.tryFail(e))));
      content.endHandler(v -> file.flush()
        .compose(x -> file.close())
        .onSuccess(x -> done.tryComplete(new StagedBlob(target, size[0], sha256.digest(), sha1.digest(), tooLarge[0])))
        .onFailure(e -> fs.delete(target).onComplete(x -> done.tryFail(e))));
      content.resume();
      return done.future();
    });
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
