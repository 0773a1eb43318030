package org.eucalypt.storage;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.ReadStream;

import java.util.Base64;

/**
 * Where the bytes of assets live. Uploads are first staged (streamed to a temporary place while
 * hashed), then put under their final key once the database knows about them.
 */
public interface BlobStore {

  /** Streams an upload to a staging place, computing its hashes on the way. */
  Future<StagedBlob> stage(ReadStream<Buffer> content, long maxBytes);

  /** Moves a staged upload to its final key. */
  Future<Void> commit(StagedBlob staged, String key);

  /** Throws away a staged upload that will not be kept. */
  Future<Void> discard(StagedBlob staged);

  /** Deletes a stored file; deleting one that is already gone succeeds. */
  Future<Void> delete(String key);

  Future<Boolean> exists(String key);

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
