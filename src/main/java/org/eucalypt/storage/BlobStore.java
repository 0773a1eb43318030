package org.eucalypt.storage;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.ReadStream;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;

/**
 * Where the bytes of assets live. Uploads are first staged (streamed to a temporary place while
 * hashed), then put under their final key once the database knows about them.
 */
public interface BlobStore {

  /** Makes what the store needs to exist (directories); called once at start. */
  default Future<Void> init() {
    return Future.succeededFuture();
  }

  /** Lets go of what the store holds open (an S3 client's connections). */
  default Future<Void> close() {
    return Future.succeededFuture();
  }

  /** Removes staged uploads older than {@code maxAgeMillis}: leftovers of a crash mid-upload. */
  default Future<Void> sweepStaging(long maxAgeMillis) {
    return Future.succeededFuture();
  }

  /** Streams an upload to a staging place, computing its hashes on the way. */
  Future<StagedBlob> stage(ReadStream<Buffer> content, long maxBytes);

  /** Moves a staged upload to its final key. */
  Future<Void> commit(StagedBlob staged, String key);

  /** Throws away a staged upload that will not be kept. */
  Future<Void> discard(StagedBlob staged);

  /** Deletes a stored file; deleting one that is already gone succeeds. */
  Future<Void> delete(String key);

  /**
   * Deletes many stored files; answers the keys that are gone (deleted, or were already), so a
   * key that failed stays listed for a later sweep. One by one unless the store does better.
   */
  default Future<List<String>> deleteAll(List<String> keys) {
    List<String> gone = Collections.synchronizedList(new ArrayList<>(keys.size()));
    List<Future<Void>> deletes = new ArrayList<>(keys.size());
    for (String key : keys) {
      deletes.add(delete(key).onSuccess(v -> gone.add(key)));
    }
    return Future.join(deletes).otherwiseEmpty().map(v -> List.copyOf(gone));
  }

  Future<Boolean> exists(String key);

  /**
   * A local file holding the stored file's bytes, for tools that read files (libvips, ffmpeg):
   * the stored file itself where the store is a disk, else a copy made in {@code scratchDir}.
   * Read it, never write it; the caller removes {@code scratchDir}.
   */
  Future<Path> localFile(String key, Path scratchDir);

  /** Sends {@code length} bytes of the file from {@code offset} as the response body. */
  Future<Void> send(String key, long offset, long length, HttpServerResponse response);

  /**
   * What was streamed: where it waits, its size and its SHA-256 and SHA-1 digests.
   * {@code tooLarge} is set when the stream passed the limit and was cut off.
   */
  record StagedBlob(String stagingPath, long size, byte[] sha256, byte[] sha1, boolean tooLarge) {

    /** As it travels on the event bus from the HTTP layer to the asset verticle. */
    public JsonObject toJson() {
      Base64.Encoder b64 = Base64.getEncoder();
      return new JsonObject().put("path", stagingPath).put("size", size)
        .put("sha256", b64.encodeToString(sha256)).put("sha1", b64.encodeToString(sha1));
    }

    public static StagedBlob fromJson(JsonObject j) {
      Base64.Decoder b64 = Base64.getDecoder();
      return new StagedBlob(j.getString("path"), j.getLong("size"),
        b64.decode(j.getString("sha256")), b64.decode(j.getString("sha1")), false);
    }
  }
}
