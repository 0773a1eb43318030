package org.eucalypt.asset;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import org.eucalypt.bus.JsonPage;
import org.eucalypt.auth.Caller;
import org.eucalypt.bus.DomainException;
import org.eucalypt.bus.Json;
import org.eucalypt.config.Settings;
import org.eucalypt.db.Database;
import org.eucalypt.db.Reads;
import org.eucalypt.db.Pages;
import org.eucalypt.event.Events;
import org.eucalypt.event.Events.Event;
import org.eucalypt.id.Ids;
import org.eucalypt.rendition.Tasks;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@link AssetService} on PostgreSQL and the blob store, plus what only the HTTP layer of the
 * same instance calls: uploads (with dedup by content) and what a download needs. Reads go
 * through the pipelined client; every change is one transaction on a pooled connection.
 */
public final class AssetServiceImpl implements AssetService {
  /** A kept upload: whether it was new, and the asset (the existing one for the same bytes). */
  public record Created(boolean created, Asset asset) {
  }

  /**
   * What an upload brings besides its bytes; times already parsed. {@code fileCreatedAt} keeps
   * whether the client gave an offset: it may become the asset's {@code local_datetime}.
   */
  public record NewAsset(String libraryId, String deviceAssetId, String deviceId, WallClock fileCreatedAt,
                         OffsetDateTime fileModifiedAt, String mimeType, String originalFileName) {
  }

  /** Where a download's bytes are. */
  public record StoredFile(String blobKey, String mimeType, long size, String etag) {
  }

  /**
   * How long an upload's key stays listed for deletion before the drain may act on it. Far
   * longer than any upload's last step, which must finish with at least {@link #INTENT_MARGIN}
   * of it left.
   */
  static final Duration INTENT_TTL = Duration.ofHours(24);
  static final Duration INTENT_MARGIN = Duration.ofHours(1);

  private final Vertx vertx;
  private final Settings settings;
  private final Clock clock;
  private final BlobStore blobs;
  private final Pool pool;
  private final Reads reads;
  private final ListedDeletions deletions;

  public AssetServiceImpl(Vertx vertx, Settings settings, Clock clock, BlobStore blobs) {
    this.vertx = vertx;
    this.settings = settings;
    this.clock = clock;
    this.blobs = blobs;
    this.pool = Database.pool(vertx, settings);
    this.reads = Database.reads(vertx, settings);
    this.deletions = new ListedDeletions(pool, blobs);
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
  public Future<Created> createAsset(Caller caller, NewAsset req, StagedBlob staged) {
    UUID user = caller.userId();
    return uploadLibrary(caller, req.libraryId())
      // Limits first, as Gumnut documents: even the same bytes again are refused by a full account.
      .compose(library -> checkRoom(pool, user, library, staged.size()).map(library))
      .compose(library -> findByChecksum(library, staged.sha256()).compose(existing -> {
        if (existing != null) {
          return blobs.discard(staged).map(v -> new Created(false, existing));
        }
        return storeNew(user, library, staged, req);
      }))
      .recover(e -> blobs.discard(staged).transform(x -> Future.failedFuture(e)));
  }

  private Future<Created> storeNew(UUID user, UUID library, StagedBlob staged, NewAsset req) {
    // Parsing a file's metadata is blocking I/O: on a worker, and unordered so uploads run side by side.
    return vertx.executeBlocking(() -> PhotoMetadata.read(Path.of(staged.stagingPath())), false)
      .compose(meta -> storeNew(user, library, staged, req, meta));
  }

  private Future<Created> storeNew(UUID user, UUID library, StagedBlob staged, NewAsset req, PhotoMetadata meta) {
    UUID id = Ids.newUuid();
    String key = id.toString();
    OffsetDateTime now = now();
    WallClock fileCreated = req.fileCreatedAt();
    // Capture time from the file's own metadata, else when the file was made, else now.
    WallClock taken = meta.capturedAt() != null ? meta.capturedAt() : fileCreated != null ? fileCreated : WallClock.of(now);
    Tuple row = Tuple.tuple()
      .addUUID(id).addUUID(library)
      .addString(req.mimeType())
      .addString(req.originalFileName())
      .addLocalDateTime(taken.local())
      .addInteger(taken.offset() == null ? null : taken.offset().getTotalSeconds())
      .addInteger(meta.width())
      .addInteger(meta.height())
      .addDouble(meta.durationSeconds())
      .addBuffer(Buffer.buffer(staged.sha256()))
      .addBuffer(Buffer.buffer(staged.sha1()))
      .addLong(staged.size())
      .addString(key)
      .addString(req.deviceAssetId())
      .addString(req.deviceId())
      // A naive file_created_at is kept as UTC, as it always was: this column is an instant.
      .addOffsetDateTime(fileCreated == null ? null : fileCreated.instant())
      .addOffsetDateTime(req.fileModifiedAt())
      .addOffsetDateTime(now);

    return pool.preparedQuery(AssetSql.INTENT).execute(Tuple.of(key, now.plus(INTENT_TTL)))
      .compose(v -> blobs.commit(staged, key))
      .compose(v -> pool.withTransaction(tx -> tx.preparedQuery(AssetSql.LOCK_USER).execute(Tuple.of(user))
        // A library trashed while the file streamed: 404, as for any asset of a trashed library
        // (COUNT_IN alone would refuse it too, but as if the library were full: 507).
        .compose(locked -> tx.preparedQuery(AssetSql.LOCK_LIBRARY_FOR_UPLOAD).execute(Tuple.of(library)))
        .compose(live -> live.size() == 0 ? Future.<Void>failedFuture(DomainException.notFound()) : Future.<Void>succeededFuture())
        .compose(locked -> checkRoom(tx, user, library, staged.size()))
        .compose(room -> tx.preparedQuery(AssetSql.INSERT).execute(row))
        .compose(inserted -> {
          if (inserted.size() == 0) {
            // Same bytes committed by a concurrent upload: answer with that one.
            return findByChecksum(tx, library, staged.sha256()).map(existing -> new Created(false, existing));
          }
          Asset asset = Asset.of(inserted.iterator().next(), List.of());
          return tx.preparedQuery(AssetSql.COUNT_IN).execute(Tuple.of(library, staged.size()))
            .compose(counted -> counted.size() == 0
              ? Future.failedFuture(libraryFull())
              : tx.preparedQuery(AssetSql.CLAIM_INTENT).execute(Tuple.of(key, now.plus(INTENT_MARGIN))))
            .compose(claimed -> claimed.rowCount() == 0
              ? Future.failedFuture(new IllegalStateException("upload of " + key + " outlived its deletion deadline"))
              : Events.record(tx, Event.asset(user, library, asset.id(), "asset_created", now)))
            // Its renditions are queued in the same transaction: an asset never lacks its tasks.
            .compose(x -> Tasks.enqueue(tx, id, req.mimeType(), now))
            .map(x -> new Created(true, asset));
        })))
      .compose(result -> result.created()
        ? Future.succeededFuture(result)
        : removeStored(key).map(result))
      .recover(e -> removeStored(key).transform(x -> Future.failedFuture(e)));
  }

  /**
   * Where an upload goes, as Gumnut documents it: the library named; else the caller's sole live
   * library (for a key scoped to some libraries, its sole selected one); else, for a key on all
   * libraries of an account with none live, a fresh default library. Several candidates: 400.
   */
  private Future<UUID> uploadLibrary(Caller caller, String libraryId) {
    return resolveLibrary(pool, caller, libraryId).recover(e -> {
      if (libraryId != null || !caller.allLibraries() || DomainException.kindOf(e) != DomainException.Kind.BAD_REQUEST) {
        return Future.failedFuture(e);
      }
      UUID id = Ids.newUuid();
      OffsetDateTime now = now();
      return pool.withTransaction(tx -> tx.preparedQuery(AssetSql.LOCK_USER).execute(Tuple.of(caller.userId()))
        .compose(locked -> tx.preparedQuery(AssetSql.CREATE_DEFAULT_LIBRARY).execute(Tuple.of(id, caller.userId(), now)))
        .compose(made -> made.size() == 0 ? Future.succeededFuture()
          : Events.record(tx, Event.library(caller.userId(), id, Ids.LIBRARY.format(id), "library_created", now)))
        // Made now, or by a concurrent upload a moment ago: either way, exactly one is live.
        .compose(v -> resolveLibrary(tx, caller, null)));
    });
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
        return Future.failedFuture(DomainException.notFound());
      }
      Row r = rows.iterator().next();
      Long userLimit = r.getLong("user_limit");
      if (userLimit != null && r.getLong("user_used") + size > userLimit) {
        return Future.failedFuture(DomainException.storageFull("Storage limit reached: your account may store "
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
    return DomainException.storageFull("Storage limit reached: this library is at its limit");
  }

  @Override
  public Future<Void> trashAssets(Caller caller, String libraryId, List<String> ids) {
    return changeTrashState(caller, libraryId, ids, AssetSql.TRASH, "trashed");
  }

  @Override
  public Future<Void> restoreAssets(Caller caller, String libraryId, List<String> ids) {
    return changeTrashState(caller, libraryId, ids, AssetSql.RESTORE, "restored");
  }

  private Future<Void> changeTrashState(Caller caller, String libraryId, List<String> assetIds, String sql,
                                        String change) {
    UUID user = caller.userId();
    UUID[] ids;
    try {
      ids = assetIds(assetIds);
    } catch (DomainException e) {
      return Future.failedFuture(e);
    }
    OffsetDateTime now = now();
    return resolveLibrary(pool, caller, libraryId)
      .compose(library -> pool.withTransaction(tx -> lockAllIn(tx, user, library, ids)
        .compose(v -> tx.preparedQuery(sql).execute(Tuple.of(library, ids, now)))
        .compose(changed -> {
          List<Event> events = new ArrayList<>(changed.size());
          JsonObject payload = new JsonObject().put("change", change);
          if ("trashed".equals(change)) {
            payload.put("trashed_at", Json.time(now));
          }
          changed.forEach(r -> events.add(Event.assetUpdated(user, library, Ids.ASSET.format(r.getUUID("id")), payload, now)));
          return Events.recordAll(tx, events);
        })));
  }

  @Override
  public Future<Void> deleteAssets(Caller caller, String libraryId, List<String> assetIds) {
    UUID[] ids;
    try {
      ids = assetIds(assetIds);
    } catch (DomainException e) {
      return Future.failedFuture(e);
    }
    return purge(caller, resolveLibrary(pool, caller, libraryId), ids);
  }

  @Override
  public Future<Void> deleteAsset(Caller caller, String assetId) {
    UUID id = Ids.ASSET.parse(assetId).orElse(null);
    if (id == null) {
      return Future.failedFuture(DomainException.notFound());
    }
    Future<UUID> library = pool.preparedQuery(AssetSql.LIBRARY_OF).execute(Tuple.of(id, caller.userId()))
      .compose(rows -> inScope(caller, rows)).map(row -> row.getUUID("library_id"));
    return purge(caller, library, new UUID[] {id});
  }

  /** Deletes rows and files of {@code ids}, all of which must be in the library. */
  private Future<Void> purge(Caller caller, Future<UUID> library, UUID[] ids) {
    UUID user = caller.userId();
    OffsetDateTime now = now();
    List<String> keys = new ArrayList<>();
    return library
      .compose(lib -> pool.withTransaction(tx -> lockAllIn(tx, user, lib, ids)
        .compose(v -> Purge.assets(tx, user, lib, AssetSql.DELETE, Tuple.of(lib, (Object) ids), now, keys))))
      .compose(deleted -> deletions.deleteListed(keys));
  }

  @Override
  public Future<Void> emptyTrash(Caller caller, String libraryId) {
    return resolveLibrary(pool, caller, libraryId).compose(library -> emptyTrashBatches(caller.userId(), library));
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
        : Future.failedFuture(DomainException.notFound()));
  }

  private static Future<Void> lockLibrary(SqlClient tx, UUID user, UUID library) {
    return tx.preparedQuery(AssetSql.LOCK_LIVE_LIBRARY).execute(Tuple.of(library, user))
      .compose(rows -> rows.size() == 0 ? Future.failedFuture(DomainException.notFound()) : Future.succeededFuture());
  }

  /** Most items one {@code bulk_update_assets} may carry, as Gumnut documents. */
  public static final int MAX_BULK_UPDATES = 200;

  /** One asset's change; {@code item} names it in a bulk request's errors, null for a single edit. */
  private record Edit(UUID id, AssetChange change, String item) {
    /** {@link AssetEditSql#UPDATE}'s parameters. */
    Tuple tuple(OffsetDateTime now) {
      WallClock taken = change.originalDatetime() == null ? null : WallClock.parse(change.originalDatetime());
      return Tuple.tuple().addUUID(id)
        .addBoolean(change.hasDescription()).addString(change.description())
        .addBoolean(change.hasLatitude()).addDouble(change.latitude()).addDouble(change.longitude())
        .addBoolean(change.hasOriginalDatetime()).addLocalDateTime(taken == null ? null : taken.local())
        .addInteger(taken == null || taken.offset() == null ? null : taken.offset().getTotalSeconds())
        .addOffsetDateTime(now);
    }

    /** The asset_updated payload: what the request changed, as it will read back (null: cleared). */
    JsonObject payload() {
      JsonObject edits = change.toJson();
      if (change.originalDatetime() != null) {
        edits.put("original_datetime", WallClock.parse(change.originalDatetime()).format());
      }
      return new JsonObject().put("change", "edited").put("edits", edits);
    }

    DomainException notFound() {
      return item == null ? DomainException.notFound()
        : new DomainException(DomainException.Kind.NOT_FOUND, "Not found: " + item + " (" + Ids.ASSET.format(id) + ")");
    }
  }

  @Override
  public Future<Asset> updateAsset(Caller caller, String assetId, AssetChange change) {
    UUID id = Ids.ASSET.parse(assetId).orElse(null);
    if (id == null) {
      return Future.failedFuture(DomainException.notFound());
    }
    AssetEdits.Problem problem = AssetEdits.problem(change);
    if (problem != null) {
      return Future.failedFuture(DomainException.badRequest(problem.message()));
    }
    List<String> parts = List.of("metadata");
    return pool.withTransaction(tx -> edit(tx, caller, List.of(new Edit(id, change, null)))
        .compose(v -> tx.preparedQuery(AssetSql.GET).execute(Tuple.of(id, caller.userId())))
        .map(rows -> Asset.of(rows.iterator().next(), parts)))
      .compose(asset -> withStoredParts(List.of(asset), parts))
      .map(assets -> assets.get(0));
  }

  @Override
  public Future<Void> bulkUpdateAssets(Caller caller, List<AssetUpdate> updates) {
    if (updates.size() > MAX_BULK_UPDATES) {
      return Future.failedFuture(DomainException.badRequest("At most " + MAX_BULK_UPDATES + " updates per request"));
    }
    List<Edit> edits = new ArrayList<>(updates.size());
    for (int i = 0; i < updates.size(); i++) {
      AssetUpdate update = updates.get(i);
      String item = "updates[" + i + "]";
      UUID id = Ids.ASSET.parse(update.id()).orElse(null);
      if (id == null) {
        return Future.failedFuture(new DomainException(DomainException.Kind.NOT_FOUND,
          "Not found: " + item + " (" + update.id() + ")"));
      }
      AssetEdits.Problem problem = AssetEdits.problem(update.change());
      if (problem != null) {
        return Future.failedFuture(DomainException.badRequest(item + ".change: " + problem.message()));
      }
      edits.add(new Edit(id, update.change(), item));
    }
    return pool.withTransaction(tx -> edit(tx, caller, edits));
  }

  /**
   * Applies edits in request order in the caller's transaction, after locking every asset they
   * name: one that is not the caller's live asset in a live library within the key's scope fails
   * them all. A change that changes nothing writes nothing.
   */
  private Future<Void> edit(SqlClient tx, Caller caller, List<Edit> edits) {
    UUID user = caller.userId();
    OffsetDateTime now = now();
    UUID[] ids = edits.stream().map(Edit::id).distinct().toArray(UUID[]::new);
    Tuple lock = Tuple.tuple().addArrayOfUUID(ids).addUUID(user);
    return tx.preparedQuery(AssetEditSql.LOCK_EDITABLE).execute(lock).compose(rows -> {
      Map<UUID, UUID> libraryOf = new HashMap<>();
      rows.forEach(r -> {
        if (caller.reaches(r.getUUID("library_id"))) {
          libraryOf.put(r.getUUID("id"), r.getUUID("library_id"));
        }
      });
      for (Edit e : edits) {
        if (!libraryOf.containsKey(e.id())) {
          return Future.failedFuture(e.notFound());
        }
      }
      List<Edit> changing = edits.stream().filter(e -> !e.change().isEmpty()).toList();
      if (changing.isEmpty()) {
        return Future.succeededFuture();
      }
      List<Event> events = changing.stream()
        .map(e -> Event.assetUpdated(user, libraryOf.get(e.id()), Ids.ASSET.format(e.id()), e.payload(), now))
        .toList();
      return tx.preparedQuery(AssetEditSql.UPDATE).executeBatch(changing.stream().map(e -> e.tuple(now)).toList())
        .compose(v -> Events.recordAll(tx, events));
    });
  }

  @Override
  public Future<AssetExistence> checkExistence(Caller caller, ExistenceQuery query) {
    String problem = query.problem();
    if (problem != null) {
      return Future.failedFuture(DomainException.badRequest(problem));
    }
    return reads.run(c -> resolveLibrary(c, caller, query.libraryId())).compose(library -> {
      Tuple params;
      String sql;
      if (query.checksums() != null) {
        sql = AssetEditSql.EXISTING_BY_CHECKSUM;
        params = Tuple.tuple().addUUID(library).addArrayOfBuffer(checksums(query.checksums()));
      } else if (query.checksumSha1s() != null) {
        sql = AssetEditSql.EXISTING_BY_SHA1;
        params = Tuple.tuple().addUUID(library).addArrayOfBuffer(checksums(query.checksumSha1s()));
      } else {
        sql = AssetEditSql.EXISTING_BY_DEVICE;
        params = Tuple.tuple().addUUID(library).addString(query.deviceId())
          .addArrayOfString(query.deviceAssetIds().toArray(String[]::new));
      }
      return reads.run(c -> c.preparedQuery(sql).execute(params));
    }).map(rows -> {
      Base64.Encoder b64 = Base64.getEncoder();
      JsonArray assets = new JsonArray();
      rows.forEach(r -> assets.add(new JsonObject()
        .put("id", Ids.ASSET.format(r.getUUID("id")))
        .put("checksum", b64.encodeToString(r.getBuffer("checksum").getBytes()))
        .put("checksum_sha1", b64.encodeToString(r.getBuffer("checksum_sha1").getBytes()))
        .put("device_asset_id", r.getString("device_asset_id"))
        .put("device_id", r.getString("device_id"))));
      return new AssetExistence(assets);
    });
  }

  private static Buffer[] checksums(List<String> base64) {
    return base64.stream().map(s -> Buffer.buffer(ExistenceQuery.decode(s))).toArray(Buffer[]::new);
  }

  @Override
  public Future<JsonPage> countAssets(Caller caller, AssetFilter filter) {
    int limit = filter.limit();
    return reads.run(c -> resolveLibrary(c, caller, filter.libraryId())).compose(library -> albumIn(library, filter)).compose(library -> {
      AssetQuery q = AssetQuery.countsByMonth(library, filter, Pages.fetch(limit));
      return reads.run(c -> c.preparedQuery(q.sql()).execute(q.params()));
    }).map(rows -> new JsonPage(Pages.items(rows, limit, r -> new JsonObject()
        .put("time_bucket", WallClock.naive(r.getLocalDateTime("time_bucket")).format())
        .put("count", r.getLong("count"))),
      Pages.hasMore(rows, limit)));
  }

  /** The distinct UUIDs of a bulk request's public ids; one that cannot exist is unknown: NOT_FOUND. */
  private static UUID[] assetIds(List<String> ids) {
    UUID[] out = new UUID[ids.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = Ids.ASSET.parse(ids.get(i)).orElseThrow(DomainException::notFound);
    }
    return java.util.Arrays.stream(out).distinct().toArray(UUID[]::new);
  }

  @Override
  public Future<Asset> getAsset(Caller caller, String assetId, List<String> include) {
    UUID asset = Ids.ASSET.parse(assetId).orElse(null);
    if (asset == null) {
      return Future.failedFuture(DomainException.notFound());
    }
    List<String> parts = include == null ? List.of() : include;
    return reads.run(c -> c.preparedQuery(AssetSql.GET).execute(Tuple.of(asset, caller.userId())))
      .compose(rows -> inScope(caller, rows))
      .compose(row -> withStoredParts(List.of(Asset.of(row, parts)), parts))
      .map(assets -> assets.get(0));
  }

  @Override
  public Future<AssetPage> listAssets(Caller caller, AssetFilter filter) {
    int limit = filter.limit();
    // A stack's frames are listed by its id alone, as Gumnut's clients do: its library is where to look.
    return reads.run(c -> filter.stackId() != null && filter.libraryId() == null
      ? org.eucalypt.stack.StackServiceImpl.libraryOf(c, caller, filter.stackId())
      : resolveLibrary(c, caller, filter.libraryId())).compose(library -> albumIn(library, filter)).compose(library -> {
      AssetQuery q = AssetQuery.list(library, filter, Pages.fetch(limit));
      return reads.run(c -> c.preparedQuery(q.sql()).execute(q.params()));
    }).compose(rows -> withStoredParts(Pages.items(rows, limit, r -> Asset.of(r, filter.include())), filter.include())
      .map(assets -> new AssetPage(assets, Pages.hasMore(rows, limit))));
  }

  /**
   * The opt-in parts kept in tables of their own, read for the whole page at once: with
   * {@code include=metadata} what rendition tasks read from the files, with {@code include=variants}
   * the renditions made so far ({@code variants}: {@code {key: {mimetype, width, height}}}, from
   * which the HTTP layer builds {@code asset_urls}), with {@code include=faces|people} the faces on
   * each asset and the distinct people they are assigned to.
   */
  private Future<List<Asset>> withStoredParts(List<Asset> assets, List<String> include) {
    boolean metadata = include.contains("metadata");
    boolean variants = include.contains("variants");
    boolean faces = include.contains("faces");
    boolean people = include.contains("people");
    if (assets.isEmpty() || (!metadata && !variants && !faces && !people)) {
      return Future.succeededFuture(assets);
    }
    UUID[] ids = assets.stream().map(a -> Ids.ASSET.parse(a.id()).orElseThrow()).toArray(UUID[]::new);
    Future<Map<String, Row>> files = !metadata ? Future.succeededFuture(Map.of())
      : reads.run(c -> c.preparedQuery(AssetSql.FILE_METADATA).execute(Tuple.of(ids))).map(rows -> {
        Map<String, Row> byAsset = new HashMap<>();
        rows.forEach(r -> byAsset.put(Ids.ASSET.format(r.getUUID("asset_id")), r));
        return byAsset;
      });
    Future<Map<String, JsonObject>> made = !variants ? Future.succeededFuture(Map.of())
      : reads.run(c -> c.preparedQuery(AssetSql.RENDITIONS).execute(Tuple.of(ids))).map(rows -> {
        Map<String, JsonObject> byAsset = new HashMap<>();
        rows.forEach(r -> byAsset.computeIfAbsent(Ids.ASSET.format(r.getUUID("asset_id")), k -> new JsonObject())
          .put(r.getString("variant"), new JsonObject().put("mimetype", r.getString("mime_type"))
            .put("width", r.getInteger("width")).put("height", r.getInteger("height"))));
        return byAsset;
      });
    Future<Map<String, JsonArray>> facesOf = !faces ? Future.succeededFuture(Map.of())
      : reads.run(c -> org.eucalypt.person.Faces.ofAssets(c, ids));
    Future<Map<String, JsonArray>> peopleOf = !people ? Future.succeededFuture(Map.of())
      : reads.run(c -> org.eucalypt.person.Faces.peopleOfAssets(c, ids));
    return Future.all(files, made, facesOf, peopleOf).map(all -> assets.stream().map(a -> {
      Asset out = a;
      Row r = files.result().get(a.id());
      if (r != null) {
        out = out.withFileMetadata((JsonObject) r.getValue("data"),
          Json.time(r.getOffsetDateTime("created_at")), Json.time(r.getOffsetDateTime("updated_at")));
      }
      if (variants) {
        out = out.withVariants(made.result().getOrDefault(a.id(), new JsonObject()));
      }
      if (faces || people) {
        out = out.withFacesAndPeople(facesOf.result().getOrDefault(a.id(), new JsonArray()),
          peopleOf.result().getOrDefault(a.id(), new JsonArray()));
      }
      return out;
    }).toList());
  }

  /** An {@code album_id} filter must name an album of the library listed; any other is unknown: NOT_FOUND. */
  private Future<UUID> albumIn(UUID library, AssetFilter filter) {
    if (filter.albumId() == null) {
      return Future.succeededFuture(library);
    }
    UUID album = Ids.ALBUM.parse(filter.albumId()).orElse(null);
    if (album == null) {
      return Future.failedFuture(DomainException.notFound());
    }
    return reads.run(c -> c.preparedQuery(AssetSql.ALBUM_IN_LIBRARY).execute(Tuple.of(album, library)))
      .compose(rows -> rows.size() == 0 ? Future.failedFuture(DomainException.notFound()) : Future.succeededFuture(library));
  }

  /**
   * Where a download's bytes are, if the asset exists and its library is live; {@code caller}
   * null for a download a signed URL vouches for.
   */
  public Future<StoredFile> locateAsset(Caller caller, String assetId) {
    UUID asset = Ids.ASSET.parse(assetId).orElse(null);
    if (asset == null) {
      return Future.failedFuture(DomainException.notFound());
    }
    return reads.run(c -> c.preparedQuery(AssetSql.LOCATE)
        .execute(Tuple.of(asset, caller == null ? null : caller.userId())))
      .compose(rows -> inScope(caller, rows))
      .map(r -> new StoredFile(r.getString("blob_key"), r.getString("mime_type"), r.getLong("size_bytes"),
        Base64.getEncoder().encodeToString(r.getBuffer("checksum").getBytes())));
  }

  /**
   * Where a rendition's bytes are, once it is made and while its asset's library is live;
   * {@code caller} null for a download a signed URL vouches for. Its ETag is its key: a key is
   * never reused, so a remade rendition gets a new one.
   */
  public Future<StoredFile> locateVariant(Caller caller, String assetId, String variant) {
    UUID asset = Ids.ASSET.parse(assetId).orElse(null);
    if (asset == null) {
      return Future.failedFuture(DomainException.notFound());
    }
    return reads.run(c -> c.preparedQuery(AssetSql.LOCATE_RENDITION)
        .execute(Tuple.of(asset, variant, caller == null ? null : caller.userId())))
      .compose(rows -> inScope(caller, rows))
      .map(r -> new StoredFile(r.getString("blob_key"), r.getString("mime_type"), r.getLong("size_bytes"),
        r.getString("blob_key")));
  }

  /**
   * The library an asset operation acts on: the one named, if it is the caller's and live;
   * otherwise the caller's only live library.
   */
  public static Future<UUID> resolveLibrary(SqlClient client, Caller caller, String libraryId) {
    if (libraryId != null) {
      UUID id = Ids.LIBRARY.parse(libraryId).orElse(null);
      if (id == null || !caller.reaches(id)) {
        return Future.failedFuture(DomainException.notFound());
      }
      return client.preparedQuery(AssetSql.LIVE_LIBRARY).execute(Tuple.of(id, caller.userId()))
        .compose(rows -> rows.size() == 0
          ? Future.failedFuture(DomainException.notFound())
          : Future.succeededFuture(rows.iterator().next().getUUID("id")));
    }
    return client.preparedQuery(AssetSql.SOLE_LIVE_LIBRARY)
      .execute(Tuple.of(caller.userId(), (Object) caller.librariesArray())).compose(rows -> {
        if (rows.size() == 1) {
          return Future.succeededFuture(rows.iterator().next().getUUID("id"));
        }
        return Future.failedFuture(DomainException.badRequest(rows.size() == 0
          ? "You have no live library; create one first"
          : "library_id is required when you have more than one library"));
      });
  }

  /** An asset found by id is visible only if its library is in the key's scope. */
  private static Future<Row> inScope(Caller caller, io.vertx.sqlclient.RowSet<Row> rows) {
    if (rows.size() == 0 || (caller != null && !caller.reaches(rows.iterator().next().getUUID("library_id")))) {
      return Future.failedFuture(DomainException.notFound());
    }
    return Future.succeededFuture(rows.iterator().next());
  }

  private Future<Asset> findByChecksum(UUID library, byte[] sha256) {
    return findByChecksum(pool, library, sha256);
  }

  private static Future<Asset> findByChecksum(SqlClient client, UUID library, byte[] sha256) {
    return client.preparedQuery(AssetSql.BY_CHECKSUM).execute(Tuple.of(library, Buffer.buffer(sha256)))
      .map(rows -> rows.size() == 0 ? null : Asset.of(rows.iterator().next(), List.of()));
  }
}
