package org.eucalypt.album;

import io.vertx.codegen.annotations.DataObject;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * The query of {@code list_albums} and {@code list_album_assets}: the library (null: the caller's
 * only live library), optional album, asset and id filters (public ids; {@code albumId} only
 * filters memberships), the page size and the cursor (the last id of the previous page).
 */
@DataObject
public final class AlbumFilter {
  private final String libraryId;
  private final String albumId;
  private final String assetId;
  private final List<String> ids;
  private final int limit;
  private final String startingAfterId;

  public AlbumFilter(String libraryId, String albumId, String assetId, List<String> ids, int limit,
                     String startingAfterId) {
    this.libraryId = libraryId;
    this.albumId = albumId;
    this.assetId = assetId;
    this.ids = ids;
    this.limit = limit;
    this.startingAfterId = startingAfterId;
  }

  public String libraryId() {
    return libraryId;
  }

  public String albumId() {
    return albumId;
  }

  public String assetId() {
    return assetId;
  }

  public List<String> ids() {
    return ids;
  }

  public int limit() {
    return limit;
  }

  public String startingAfterId() {
    return startingAfterId;
  }

  public AlbumFilter(JsonObject j) {
    this(j.getString("library_id"), j.getString("album_id"), j.getString("asset_id"),
      j.getJsonArray("ids") == null ? null : j.getJsonArray("ids").stream().map(String::valueOf).toList(),
      j.getInteger("limit", 20), j.getString("starting_after_id"));
  }

  public JsonObject toJson() {
    return new JsonObject()
      .put("library_id", libraryId)
      .put("album_id", albumId)
      .put("asset_id", assetId)
      .put("ids", ids == null ? null : new JsonArray(List.copyOf(ids)))
      .put("limit", limit)
      .put("starting_after_id", startingAfterId);
  }
}
