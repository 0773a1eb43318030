package org.eucalypt.album;

import io.vertx.codegen.annotations.DataObject;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import org.eucalypt.bus.Json;
import org.eucalypt.id.Ids;

/** Gumnut's {@code AlbumAssetResponse}: one membership of an asset in an album (a "link record"). */
@DataObject
public final class AlbumAsset implements Json.Shape {
  private final String id;
  private final String albumId;
  private final String assetId;
  private final String createdAt;
  private final String updatedAt;

  public AlbumAsset(String id, String albumId, String assetId, String createdAt, String updatedAt) {
    this.id = id;
    this.albumId = albumId;
    this.assetId = assetId;
    this.createdAt = createdAt;
    this.updatedAt = updatedAt;
  }

  public String id() {
    return id;
  }

  public String albumId() {
    return albumId;
  }

  public String assetId() {
    return assetId;
  }

  public String createdAt() {
    return createdAt;
  }

  public String updatedAt() {
    return updatedAt;
  }

  /** A row of {@link AlbumSql#LINK_COLUMNS}. */
  static AlbumAsset of(Row r) {
    return new AlbumAsset(Ids.ALBUM_ASSET.format(r.getUUID("id")), Ids.ALBUM.format(r.getUUID("album_id")),
      Ids.ASSET.format(r.getUUID("asset_id")), Json.time(r.getOffsetDateTime("created_at")),
      Json.time(r.getOffsetDateTime("updated_at")));
  }

  public AlbumAsset(JsonObject j) {
    this(j.getString("id"), j.getString("album_id"), j.getString("asset_id"), j.getString("created_at"),
      j.getString("updated_at"));
  }

  @Override
  public JsonObject toJson() {
    return new JsonObject()
      .put("id", id)
      .put("album_id", albumId)
      .put("asset_id", assetId)
      .put("created_at", createdAt)
      .put("updated_at", updatedAt);
  }
}
