package org.eucalypt.album;

import io.vertx.codegen.annotations.DataObject;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import org.eucalypt.asset.WallClock;
import org.eucalypt.bus.Json;
import org.eucalypt.id.Ids;

import java.time.LocalDateTime;
import java.util.UUID;

/**
 * Gumnut's {@code AlbumResponse}, plus the album's {@code library_id} (an extension, as on assets).
 * {@code asset_count}, {@code start_date}, {@code end_date} and {@code album_cover_asset_id}
 * follow the album's live assets only. The dates are capture wall clocks without an offset, as
 * the assets' {@code local_datetime} sorts and counts by.
 */
@DataObject
public final class Album implements Json.Shape {
  private final String id;
  private final String libraryId;
  private final String name;
  private final String description;
  private final long assetCount;
  private final String albumCoverAssetId;
  private final String startDate;
  private final String endDate;
  private final String createdAt;
  private final String updatedAt;

  public Album(String id, String libraryId, String name, String description, long assetCount, String albumCoverAssetId,
               String startDate, String endDate, String createdAt, String updatedAt) {
    this.id = id;
    this.libraryId = libraryId;
    this.name = name;
    this.description = description;
    this.assetCount = assetCount;
    this.albumCoverAssetId = albumCoverAssetId;
    this.startDate = startDate;
    this.endDate = endDate;
    this.createdAt = createdAt;
    this.updatedAt = updatedAt;
  }

  public String id() {
    return id;
  }

  public String libraryId() {
    return libraryId;
  }

  public String name() {
    return name;
  }

  public String description() {
    return description;
  }

  public long assetCount() {
    return assetCount;
  }

  public String albumCoverAssetId() {
    return albumCoverAssetId;
  }

  public String startDate() {
    return startDate;
  }

  public String endDate() {
    return endDate;
  }

  public String createdAt() {
    return createdAt;
  }

  public String updatedAt() {
    return updatedAt;
  }

  /** A row of {@link AlbumSql#COLUMNS}. */
  static Album of(Row r) {
    UUID cover = r.getUUID("cover_asset_id");
    return new Album(Ids.ALBUM.format(r.getUUID("id")), Ids.LIBRARY.format(r.getUUID("library_id")),
      r.getString("name"), r.getString("description"), r.getLong("asset_count"),
      cover == null ? null : Ids.ASSET.format(cover), wallClock(r.getLocalDateTime("start_date")),
      wallClock(r.getLocalDateTime("end_date")), Json.time(r.getOffsetDateTime("created_at")),
      Json.time(r.getOffsetDateTime("updated_at")));
  }

  private static String wallClock(LocalDateTime t) {
    return t == null ? null : WallClock.naive(t).format();
  }

  public Album(JsonObject j) {
    this(j.getString("id"), j.getString("library_id"), j.getString("name"), j.getString("description"),
      j.getLong("asset_count"), j.getString("album_cover_asset_id"), j.getString("start_date"),
      j.getString("end_date"), j.getString("created_at"), j.getString("updated_at"));
  }

  @Override
  public JsonObject toJson() {
    return new JsonObject()
      .put("id", id)
      .put("library_id", libraryId)
      .put("name", name)
      .put("description", description)
      .put("asset_count", assetCount)
      .put("album_cover_asset_id", albumCoverAssetId)
      .put("start_date", startDate)
      .put("end_date", endDate)
      .put("created_at", createdAt)
      .put("updated_at", updatedAt);
  }
}
