package org.eucalypt.asset;

import io.vertx.codegen.annotations.ProxyGen;
import io.vertx.codegen.annotations.VertxGen;
import io.vertx.core.Future;
import org.eucalypt.bus.JsonPage;
import org.eucalypt.auth.Caller;

import java.util.List;

/**
 * Assets: read, list, count, and the per-asset trash lifecycle. Each method is named after its
 * operationId in openapi.yaml. Every read joins on the library being live and the caller's own,
 * so a trashed library's assets and another user's answer NOT_FOUND alike. A bulk call with one
 * unknown id fails whole with NOT_FOUND and changes nothing. {@code libraryId} may be null when
 * the caller has exactly one live library.
 *
 * <p>Uploads are not on the bus (a staged file is local to the instance that received it): see
 * {@link AssetServiceImpl#createAsset}.
 */
@ProxyGen
@VertxGen
public interface AssetService {
  String ADDRESS = "eucalypt.service.assets";

  /** {@code include}: the opt-in parts ({@link Asset#PARTS}). */
  Future<Asset> getAsset(Caller caller, String assetId, List<String> include);

  Future<AssetPage> listAssets(Caller caller, AssetFilter filter);

  Future<JsonPage> countAssets(Caller caller, AssetFilter filter);

  /** Soft-deletes: assets already trashed keep their trash time. */
  Future<Void> trashAssets(Caller caller, String libraryId, List<String> ids);

  /** Idempotent: live assets are skipped. */
  Future<Void> restoreAssets(Caller caller, String libraryId, List<String> ids);

  /** Permanently deletes assets, rows and files. */
  Future<Void> deleteAssets(Caller caller, String libraryId, List<String> ids);

  /** Permanently deletes one asset, wherever it is among the caller's live libraries. */
  Future<Void> deleteAsset(Caller caller, String assetId);

  /** Every trashed asset of the library, in bounded batches so no transaction grows too big. */
  Future<Void> emptyTrash(Caller caller, String libraryId);

  /**
   * Edits one live asset's description, position and capture time, and answers it with its
   * {@code metadata}. A trashed asset, or one of a trashed library, is NOT_FOUND. An explicit
   * null clears an edit, and the file's own value shows again.
   */
  Future<Asset> updateAsset(Caller caller, String assetId, AssetChange change);

  /**
   * As {@link #updateAsset} for each item, in one transaction: one unknown, trashed or foreign
   * id (NOT_FOUND) or one bad change (BAD_REQUEST) fails the whole batch, naming the item, and
   * nothing changes.
   */
  Future<Void> bulkUpdateAssets(Caller caller, List<AssetUpdate> updates);

  /** The assets of one library, trashed ones too, that match the query's checksums or device ids. */
  Future<AssetExistence> checkExistence(Caller caller, ExistenceQuery query);
}
