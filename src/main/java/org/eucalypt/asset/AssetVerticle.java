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
import org.eucalypt.auth.LibraryScope;
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
import org.eucalypt.storage.ListedDeletions;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
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
  public static final String COUNTS = "assets.counts";
  public static final String TRASH = "assets.trash";
  public static final String RESTORE = "assets.restore";
  public static final String DELETE = "assets.delete";
  public static final String EMPTY_TRASH = "assets.empty_trash";

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
  private ListedDeletions deletions;

  public AssetVerticle(Settings settings, Clock clock, BlobStore blobs) {
    this.settings = settings;
    this.clock = clock;
    this.blobs = blobs;
  }

  @Override
  public Future<?> start() {
    pool = Database.pool(vertx, settings);
    deletions = new ListedDeletions(pool, blobs);
    return Future.all(List.of(
      Bus.serve(vertx, CREATE, this::createAsset),
      Bus.serve(vertx, GET, this::getAsset),
      Bus.serve(vertx, LIST, this::listAssets),
      Bus.serve(vertx, COUNTS, this::countAssets),
      Bus.serve(vertx, LOCATE, this::locateAsset),
      Bus.serve(vertx, TRASH, this::trashAssets),
      Bus.serve(vertx, RESTORE, this::restoreAssets),
      Bus.serve(vertx, DELETE, this::deleteAssets),
      Bus.serve(vertx, EMPTY_TRASH, this::emptyTrash)));
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
    return resolveLibrary(pool, user, req)
      // Limits first, as Gumnut documents: even the same bytes again are refused by a full account.
      .compose(library -> checkRoom(pool, user, library, staged.size()).map(library))
      .compose(library -> findByChecksum(library, staged.sha256()).compose(existing -> {
        if (existing != null) {
          return blobs.discard(staged).map(v -> created(false, existing));
        }
        return storeNew(user, library, staged, req);
      }))
      .recover(e -> blobs.discard(staged).transform(x -> Future.failedFuture(e)));
  }

  private Future<JsonObject> storeNew(UUID user, UUID library, StagedBlob staged, JsonObject req) {
    // Parsing a file's metadata is blocking I/O: on a worker, and unordered so uploads run side by side.
    return vertx.executeBlocking(() -> PhotoMetadata.read(Path.of(staged.stagingPath())), false)
      .compose(meta -> storeNew(user, library, staged, req, meta));
  }

  private Future<JsonObject> storeNew(UUID user, UUID library, StagedBlob staged, JsonObject req, PhotoMetadata meta) {
    UUID id = Ids.newUuid();
    String key = id.toString();
    OffsetDateTime now = now();
    OffsetDateTime fileCreated = time(req, "file_created_at");
    Tuple row = Tuple.tuple()
      .addUUID(id).addUUID(library)
      .addString(req.getString("mime_type"))
      .addString(req.getString("original_file_name"))
      // Capture time from the file's own metadata, else when the file was made, else now.
      .addOffsetDateTime(meta.capturedAt() != null ? meta.capturedAt() : fileCreated != null ? fileCreated : now)
      .addInteger(meta.width())
      .addInteger(meta.height())
      .addDouble(meta.durationSeconds())
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
      .compose(v -> pool.withTransaction(tx -> tx.preparedQuery(AssetSql.LOCK_USER).execute(Tuple.of(user))
        // A library trashed while the file streamed: 404, as for any asset of a trashed library
        // (COUNT_IN alone would refuse it too, but as if the library were full: 507).
        .compose(locked -> tx.preparedQuery(AssetSql.LOCK_LIBRARY_FOR_UPLOAD).execute(Tuple.of(library)))
        .compose(live -> live.size() == 0 ? Future.<Void>failedFuture(Failure.notFound()) : Future.<Void>succeededFuture())
        .compose(locked -> checkRoom(tx, user, library, staged.size()))
        .compose(room -> tx.preparedQuery(AssetSql.INSERT).execute(row))
        .compose(inserted -> {
          if (inserted.size() == 0) {
            // Same bytes committed by a concurrent upload: answer with that one.
            return findByChecksum(tx, library, staged.sha256()).map(existing -> created(false, existing));
          }
          JsonObject asset = toJson(inserted.iterator().next(), false);
          return tx.preparedQuery(AssetSql.COUNT_IN).execute(Tuple.of(library, staged.size()))
            .compose(counted -> counted.size() == 0
              ? Future.failedFuture(libraryFull())
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

  /**
   * Refuses an asset of {@code size} bytes that would take the account or the library past its
   * limit: 507, before anything is kept.
   */
  private Future<Void> checkRoom(SqlClient client, UUID user, UUID library, long size) {
    return client.preparedQuery(AssetSql.ROOM).execute(Tuple.of(user, library, settings.userStorageLimit())).compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(Failure.notFound());
      }
      Row r = rows.iterator().next();
      Long userLimit = r.getLong("user_limit");
      if (userLimit != null && r.getLong("user_used") + size > userLimit) {
        return Future.failedFuture(Failure.of(507, "Storage limit reached: your account may store "
          + userLimit + " bytes and holds " + r.getLong("user_used")));
      }
      Long libraryLimit = r.getLong("library_limit");
      if (libraryLimit != null && r.getLong("library_used") + size > libraryLimit) {
        return Future.failedFuture(libraryFull());
      }
      return Future.succeededFuture();
    });
  }

  private static Throwable libraryFull() {
    return Failure.of(507, "Storage limit reached: this library is at its limit");
  }

  /** Soft-deletes: assets already trashed keep their trash time. */
  Future<JsonObject> trashAssets(JsonObject req) {
    return changeTrashState(req, AssetSql.TRASH, "asset_trashed");
  }

  /** Idempotent: live assets are skipped. */
  Future<JsonObject> restoreAssets(JsonObject req) {
    return changeTrashState(req, AssetSql.RESTORE, "asset_restored");
  }

  private Future<JsonObject> changeTrashState(JsonObject req, String sql, String eventType) {
    UUID user = userId(req);
    UUID[] ids = ids(req);
    OffsetDateTime now = now();
    return resolveLibrary(pool, user, req)
      .compose(library -> pool.withTransaction(tx -> lockAllIn(tx, user, library, ids)
        .compose(v -> tx.preparedQuery(sql).execute(Tuple.of(library, ids, now)))
        .compose(changed -> {
          List<Event> events = new ArrayList<>(changed.size());
          changed.forEach(r -> events.add(Event.asset(user, library, Ids.ASSET.format(r.getUUID("id")), eventType, now)));
          return Events.recordAll(tx, events);
        })))
      .map(v -> new JsonObject());
  }

  /**
   * Permanently deletes assets, rows and files: {@code ids} in {@code library_id} (or the caller's
   * only library), or with {@code asset_id} alone the one asset wherever it is.
   */
  Future<JsonObject> deleteAssets(JsonObject req) {
    UUID user = userId(req);
    Future<UUID> library = req.containsKey("asset_id")
      ? pool.preparedQuery(AssetSql.LIBRARY_OF).execute(Tuple.of(UUID.fromString(req.getString("asset_id")), user))
        .compose(rows -> inScope(req, rows)).map(row -> row.getUUID("library_id"))
      : resolveLibrary(pool, user, req);
    UUID[] ids = req.containsKey("asset_id") ? new UUID[] {UUID.fromString(req.getString("asset_id"))} : ids(req);
    OffsetDateTime now = now();
    List<String> keys = new ArrayList<>();
    return library
      .compose(lib -> pool.withTransaction(tx -> lockAllIn(tx, user, lib, ids)
        .compose(v -> Purge.assets(tx, user, lib, AssetSql.DELETE, Tuple.of(lib, (Object) ids), now, keys))))
      .compose(deleted -> deletions.deleteListed(keys))
      .map(v -> new JsonObject());
  }

  /** Every trashed asset of the library, in bounded batches so no transaction grows too big. */
  Future<JsonObject> emptyTrash(JsonObject req) {
    UUID user = userId(req);
    return resolveLibrary(pool, user, req)
      .compose(library -> emptyTrashBatches(user, library))
      .map(v -> new JsonObject());
  }

  private Future<Void> emptyTrashBatches(UUID user, UUID library) {
    OffsetDateTime now = now();
    List<String> keys = new ArrayList<>();
    int batch = settings.drainBatchSize();
    return pool.withTransaction(tx -> lockLibrary(tx, user, library)
        .compose(v -> Purge.assets(tx, user, library, AssetSql.DELETE_TRASHED, Tuple.of(library, batch), now, keys)))
      .compose(deleted -> deletions.deleteListed(keys).map(deleted.size()))
      .compose(deleted -> deleted < batch ? Future.succeededFuture() : emptyTrashBatches(user, library));
  }

  /** Locks the live library and checks every id is one of its assets: else 404, and nothing changes. */
  private static Future<Void> lockAllIn(SqlClient tx, UUID user, UUID library, UUID[] ids) {
    return lockLibrary(tx, user, library)
      .compose(v -> tx.preparedQuery(AssetSql.COUNT_IN_LIBRARY).execute(Tuple.of(library, (Object) ids)))
      .compose(rows -> rows.iterator().next().getLong("n") == ids.length
        ? Future.succeededFuture()
        : Future.failedFuture(Failure.notFound()));
  }

  private static Future<Void> lockLibrary(SqlClient tx, UUID user, UUID library) {
    return tx.preparedQuery(AssetSql.LOCK_LIVE_LIBRARY).execute(Tuple.of(library, user))
      .compose(rows -> rows.size() == 0 ? Future.failedFuture(Failure.notFound()) : Future.succeededFuture());
  }

  Future<JsonObject> countAssets(JsonObject req) {
    int limit = req.getInteger("limit", 100);
    return resolveLibrary(pool, userId(req), req).compose(library -> {
      AssetQuery q = AssetQuery.countsByMonth(library, req, limit + 1);
      return pool.preparedQuery(q.sql()).execute(q.params());
    }).map(rows -> {
      JsonArray data = new JsonArray();
      for (Row r : rows) {
        if (data.size() == limit) {
          break;
        }
        data.add(new JsonObject()
          .put("time_bucket", Json.time(r.getOffsetDateTime("time_bucket")))
          .put("count", r.getLong("count")));
      }
      return new JsonObject().put("data", data).put("has_more", rows.size() > limit);
    });
  }

  /** The distinct asset ids of a bulk request. */
  private static UUID[] ids(JsonObject req) {
    return req.getJsonArray("ids").stream().map(o -> UUID.fromString((String) o)).distinct().toArray(UUID[]::new);
  }

  Future<JsonObject> getAsset(JsonObject req) {
    UUID asset = UUID.fromString(req.getString("asset_id"));
    boolean fileData = req.getBoolean("include_file_data", false);
    return pool.preparedQuery(AssetSql.GET).execute(Tuple.of(asset, userId(req)))
      .compose(rows -> inScope(req, rows))
      .map(row -> toJson(row, fileData));
  }

  Future<JsonObject> listAssets(JsonObject req) {
    UUID user = userId(req);
    boolean fileData = req.getBoolean("include_file_data", false);
    int limit = req.getInteger("limit", 20);
    return resolveLibrary(pool, user, req).compose(library -> {
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
      .compose(rows -> inScope(req, rows))
      .map(r -> new JsonObject()
        .put("blob_key", r.getString("blob_key"))
        .put("mime_type", r.getString("mime_type"))
        .put("size", r.getLong("size_bytes"))
        .put("checksum", Base64.getEncoder().encodeToString(r.getBuffer("checksum").getBytes())));
  }

  /**
   * The library an asset operation acts on: the one named, if it is the caller's and live;
   * otherwise the caller's only live library.
   */
  static Future<UUID> resolveLibrary(SqlClient client, UUID user, JsonObject req) {
    LibraryScope scope = LibraryScope.of(req);
    String libraryId = req.getString("library_id");
    if (libraryId != null) {
      UUID id = UUID.fromString(libraryId);
      if (!scope.allows(id)) {
        return Future.failedFuture(Failure.notFound());
      }
      return client.preparedQuery(AssetSql.LIVE_LIBRARY).execute(Tuple.of(id, user))
        .compose(rows -> rows.size() == 0
          ? Future.failedFuture(Failure.notFound())
          : Future.succeededFuture(rows.iterator().next().getUUID("id")));
    }
    return client.preparedQuery(AssetSql.SOLE_LIVE_LIBRARY).execute(Tuple.of(user, (Object) scope.asArray())).compose(rows -> {
      if (rows.size() == 1) {
        return Future.succeededFuture(rows.iterator().next().getUUID("id"));
      }
      return Future.failedFuture(Failure.badRequest(rows.size() == 0
        ? "You have no live library; create one first"
        : "library_id is required when you have more than one library"));
    });
  }

  /** An asset found by id is visible only if its library is in the key's scope. */
  private static Future<Row> inScope(JsonObject req, io.vertx.sqlclient.RowSet<Row> rows) {
    if (rows.size() == 0 || !LibraryScope.of(req).allows(rows.iterator().next().getUUID("library_id"))) {
      return Future.failedFuture(Failure.notFound());
    }
    return Future.succeededFuture(rows.iterator().next());
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
