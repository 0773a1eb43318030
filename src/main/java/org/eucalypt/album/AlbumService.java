package org.eucalypt.album;

import io.vertx.codegen.annotations.ProxyGen;
import io.vertx.codegen.annotations.VertxGen;
import io.vertx.core.Future;
import org.eucalypt.auth.Caller;

import java.util.List;

/**
 * A library's albums and their memberships. Each method is named after its operationId in
 * openapi.yaml. Every read and change joins on the album's library being live and the caller's
 * own and within the key's scope: an album of a trashed library, another user's, or one whose id
 * is malformed all answer NOT_FOUND alike. Counts, dates and covers follow the live assets only.
 *
 * <p>Served on the event bus at {@link #ADDRESS} for other services (with an API key, through the
 * bus door), and called in-process by the HTTP layer.
 */
@ProxyGen
@VertxGen
public interface AlbumService {
  String ADDRESS = "eucalypt.service.albums";

  Future<Album> createAlbum(Caller caller, AlbumChanges body);

  Future<Album> getAlbum(Caller caller, String albumId);

  /** Newest first; {@code assetId} keeps the albums holding that (live) asset. */
  Future<AlbumPage> listAlbums(Caller caller, AlbumFilter filter);

  Future<Album> updateAlbum(Caller caller, String albumId, AlbumChanges changes);

  /** The album and its memberships; its assets stay in the library. */
  Future<Void> deleteAlbum(Caller caller, String albumId);

  /** Idempotent: an asset already in the album is a duplicate, not an error. */
  Future<AssetsAdded> addAssetsToAlbum(Caller caller, String albumId, List<String> assetIds);

  /** Ids that are not in the album are ignored. */
  Future<Void> removeAssetsFromAlbum(Caller caller, String albumId, List<String> assetIds);

  /** Memberships of live assets, oldest first. */
  Future<AlbumAssetPage> listAlbumAssets(Caller caller, AlbumFilter filter);

  Future<AlbumAsset> getAlbumAsset(Caller caller, String albumAssetId);
}
