package org.eucalypt.asset;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import org.eucalypt.bus.Bus;
import org.eucalypt.bus.Failure;
import org.eucalypt.bus.Json;
import org.eucalypt.config.Settings;
import org.eucalypt.db.Database;
import org.eucalypt.event.Events;
import org.eucalypt.event.Events.Event;
import org.eucalypt.id.Ids;
import org.eucalypt.storage.BlobStore;
import org.eucalypt.storage.BlobStore.StagedBlob;

import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.UUID;

/**
 * Assets: upload (with dedup by content), retrieve, list, and what a download needs. Every read
 * joins on the library being live and the caller's own, so a trashed library's assets and
 * another user's assets answer 404 alike.
 */
public class AssetVerticle extends VerticleBase {
  public static final String CREATE = "assets.create";
  public static final String GET = "assets.get";
  public static final String LIST = "assets.list";
  public static final String LOCATE = "assets.locate";

  /**
   * How long an upload's key stays listed for deletion before the drain may act on it. Far
   * longer than any upload's last step, which must finish with at least {@link #INTENT_MARGIN}
   * of it left.
   */
  static final Duration INTENT_TTL = Duration.ofHours(24);
  static final Duration INTENT_MARGIN = Duration.ofHours(1);

  private final Settings settings;
  private final Clock clock;
  private final BlobStore blobs;
  private Pool pool;

  public AssetVerticle(Settings settings, Clock clock, BlobStore blobs) {
    this.settings = settings;
    this.clock = clock;
    this.blobs = blobs;
  }

  @Override
  public Future<?> start() {
    pool = Database.pool(vertx, settings);
    return Future.all(java.util.List.of(
      Bus.serve(vertx, CREATE, this::createAsset),
      Bus.serve(vertx, GET, this::getAsset),
      Bus.serve(vertx, LIST, this::listAssets),
      Bus.serve(vertx, LOCATE, this::locateAsset)));
  }

  private OffsetDateTime now() {
    return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
  }

  /**
   * Keeps a staged upload, or finds the same bytes already in the library.
   *
   * <p>The order makes a crash at any step safe: list the new key for deletion, move the file
   * into place, then in one transaction insert the row, count it and unlist the key. Until that
   * commits, the listed key lets the drain remove the file; after it, the row owns the file.
   */
  Future<JsonObject> createAsset(JsonObject req) {
    UUID user = userId(req);
    StagedBlob staged = StagedBlob.fromJson(req.getJsonObject("staged"));
    return resolveLibrary(pool, user, req.getString("library_id"))
      .compose(library -> findByChecksum(library, staged.sha256()).compose(existing -> {
        if (existing != null) {
          return blobs.discard(staged).map(v -> created(false, existing));
        }
        return storeNew(user, library, staged, req);
      }))
      .recover(e -> blobs.discard(staged).transform(x -> Future.failedFuture(e)));
  }

  private Future<JsonObject> storeNew(UUID user, UUID library, StagedBlob staged, JsonObject req) {
    UUID id = Ids.newUuid();
    String key = id.toString();
    OffsetDateTime now = now();
    OffsetDateTime fileCreated = time(req, "file_created_at");
    Tuple row = Tuple.tuple()
      .addUUID(id).addUUID(library)
      .addString(req.getString("mime_type"))
      .addString(req.getString("original_file_name"))
      .addOffsetDateTime(fileCreated != null ? fileCreated : now)
      .addInteger(req.getInteger("width"))
      .addInteger(req.getInteger("height"))
      .addBuffer(Buffer.buffer(staged.sha256()))
      .addBuffer(Buffer.buffer(staged.sha1()))
      .addLong(staged.size())
      .addString(key)
      .addString(req.getString("device_asset_id"))
      .addString(req.getString("device_id"))
      .addOffsetDateTime(fileCreated)
      .addOffsetDateTime(time(req, "file_modified_at"))
      .addOffsetDateTime(now);

    return pool.preparedQuery(AssetSql.INTENT).execute(Tuple.of(key, now.plus(INTENT_TTL)))
      .compose(v -> blobs.commit(staged, key))
      .compose(v -> pool.withTransaction(tx -> tx.preparedQuery(AssetSql.INSERT).execute(row)
        .compose(inserted -> {
          if (inserted.size() == 0) {
            // Same bytes committed by a concurrent upload: answer with that one.
            return findByChecksum(tx, library, staged.sha256()).map(existing -> created(false, existing));
          }
          JsonObject asset = toJson(inserted.iterator().next(), false);
          return tx.preparedQuery(AssetSql.COUNT_IN).execute(Tuple.of(library, staged.size()))
            .compose(counted -> counted.size() == 0
              ? Future.failedFuture(Failure.notFound())
              : tx.preparedQuery(AssetSql.CLAIM_INTENT).execute(Tuple.of(key, now.plus(INTENT_MARGIN))))
            .compose(claimed -> claimed.rowCount() == 0
              ? Future.failedFuture(new IllegalStateException("upload of " + key + " outlived its deletion deadline"))
              : Events.record(tx, Event.asset(user, library, asset.getString("id"), "asset_created", now)))
            .map(x -> created(true, asset));
        })))
      .compose(result -> result.getBoolean("created")
        ? Future.succeededFuture(result)
        : removeStored(key).map(result))
      .recover(e -> removeStored(key).transform(x -> Future.failedFuture(e)));
  }

  /** A file that will not be kept: delete it, then its listing. A failure leaves the listing for the drain. */
  private Future<Void> removeStored(String key) {
    return blobs.delete(key)
      .compose(v -> pool.preparedQuery(AssetSql.DROP_INTENT).execute(Tuple.of(key)))
      .<Void>mapEmpty()
      .recover(e -> Future.succeededFuture());
  }

  Future<JsonObject> getAsset(JsonObject req) {
    UUID asset = UUID.fromString(req.getString("asset_id"));
    boolean fileData = req.getBoolean("include_file_data", false);
    return pool.preparedQuery(AssetSql.GET).execute(Tuple.of(asset, userId(req)))
      .compose(rows -> rows.size() == 0
        ? Future.failedFuture(Failure.notFound())
        : Future.succeededFuture(toJson(rows.iterator().next(), fileData)));
  }

  Future<JsonObject> listAssets(JsonObject req) {
    UUID user = userId(req);
    boolean fileData = req.getBoolean("include_file_data", false);
    int limit = req.getInteger("limit", 20);
    return resolveLibrary(pool, user, req.getString("library_id")).compose(library -> {
      AssetQuery q = AssetQuery.list(library, req, limit + 1);
      return pool.preparedQuery(q.sql()).execute(q.params());
    }).map(rows -> {
      JsonArray data = new JsonArray();
      for (Row r : rows) {
        if (data.size() == limit) {
          break;
        }
        data.add(toJson(r, fileData));
      }
      return new JsonObject().put("data", data).put("has_more", rows.size() > limit);
    });
  }

  /** Where a download's bytes are, if the asset exists and its library is live. */
  Future<JsonObject> locateAsset(JsonObject req) {
    String user = req.getString("user_id");
    return pool.preparedQuery(AssetSql.LOCATE)
      .execute(Tuple.of(UUID.fromString(req.getString("asset_id")), user == null ? null : UUID.fromString(user)))
      .compose(rows -> {
        if (rows.size() == 0) {
          return Future.failedFuture(Failure.notFound());
        }
        Row r = rows.iterator().next();
        return Future.succeededFuture(new JsonObject()
          .put("blob_key", r.getString("blob_key"))
          .put("mime_type", r.getString("mime_type"))
          .put("size", r.getLong("size_bytes"))
          .put("checksum", Base64.getEncoder().encodeToString(r.getBuffer("checksum").getBytes())));
      });
  }

  /**
   * The library an asset operation acts on: the one named, if it is the caller's and live;
   * otherwise the caller's only live library.
   */
  static Future<UUID> resolveLibrary(SqlClient client, UUID user, String libraryId) {
    if (libraryId != null) {
      return client.preparedQuery(AssetSql.LIVE_LIBRARY).execute(Tuple.of(UUID.fromString(libraryId), user))
        .compose(rows -> rows.size() == 0
          ? Future.failedFuture(Failure.notFound())
          : Future.succeededFuture(rows.iterator().next().getUUID("id")));
    }
    return client.preparedQuery(AssetSql.SOLE_LIVE_LIBRARY).execute(Tuple.of(user)).compose(rows -> {
      if (rows.size() == 1) {
        return Future.succeededFuture(rows.iterator().next().getUUID("id"));
      }
      return Future.failedFuture(Failure.badRequest(rows.size() == 0
        ? "You have no live library; create one first"
        : "library_id is required when you have more than one library"));
    });
  }

  private Future<JsonObject> findByChecksum(UUID library, byte[] sha256) {
    return findByChecksum(pool, library, sha256);
  }

  private static Future<JsonObject> findByChecksum(SqlClient client, UUID library, byte[] sha256) {
    return client.preparedQuery(AssetSql.BY_CHECKSUM).execute(Tuple.of(library, Buffer.buffer(sha256)))
      .map(rows -> rows.size() == 0 ? null : toJson(rows.iterator().next(), false));
  }

  private static JsonObject created(boolean created, JsonObject asset) {
    return new JsonObject().put("created", created).put("asset", asset);
  }

  /**
   * The API's {@code AssetResponse} without {@code asset_urls}, which the HTTP layer adds since
   * only it knows the address clients reach the server at.
   */
  static JsonObject toJson(Row r, boolean fileData) {
    UUID id = r.getUUID("id");
    JsonObject json = new JsonObject()
      .put("id", Ids.ASSET.format(id))
      .put("library_id", Ids.LIBRARY.format(r.getUUID("library_id")))
      .put("mime_type", r.getString("mime_type"))
      .put("original_file_name", r.getString("original_file_name"))
      .put("local_datetime", Json.time(r.getOffsetDateTime("local_datetime")))
      .put("kind", "original")
      .put("current_version_id", Ids.ASSET_VERSION.format(id))
      .put("width", r.getInteger("width"))
      .put("height", r.getInteger("height"))
      .put("duration", r.getDouble("duration"))
      .put("trashed_at", Json.time(r.getOffsetDateTime("trashed_at")))
      .put("created_at", Json.time(r.getOffsetDateTime("created_at")))
      .put("updated_at", Json.time(r.getOffsetDateTime("updated_at")));
    if (fileData) {
      Base64.Encoder b64 = Base64.getEncoder();
      json.put("file_data", new JsonObject()
        .put("checksum", b64.encodeToString(r.getBuffer("checksum").getBytes()))
        .put("checksum_sha1", b64.encodeToString(r.getBuffer("checksum_sha1").getBytes()))
        .put("device_asset_id", r.getString("device_asset_id"))
        .put("device_id", r.getString("device_id"))
        .put("file_created_at", Json.time(r.getOffsetDateTime("file_created_at")))
        .put("file_modified_at", Json.time(r.getOffsetDateTime("file_modified_at")))
        .put("file_size_bytes", r.getLong("size_bytes")));
    }
    return json;
  }

  private static OffsetDateTime time(JsonObject req, String field) {
    String v = req.getString(field);
    return v == null ? null : OffsetDateTime.parse(v);
  }

  private static UUID userId(JsonObject req) {
    return UUID.fromString(req.getString("user_id"));
  }
}
