package org.eucalypt.asset;

import io.vertx.codegen.annotations.DataObject;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import org.eucalypt.bus.Json;
import org.eucalypt.id.Ids;

import java.time.ZoneOffset;
import java.util.Base64;

/**
 * The API's {@code AssetResponse} without {@code asset_urls}, which the HTTP layer adds since
 * only it knows the address clients reach the server at. {@code fileData} only when asked for
 * ({@code include=file_data}), else null.
 */
@DataObject
public final class Asset implements Json.Shape {
  private final String id;
  private final String libraryId;
  private final String mimeType;
  private final String originalFileName;
  private final String localDatetime;
  private final Integer width;
  private final Integer height;
  private final Double duration;
  private final String trashedAt;
  private final String createdAt;
  private final String updatedAt;
  private final JsonObject fileData;

  public Asset(String id, String libraryId, String mimeType, String originalFileName, String localDatetime, Integer width, Integer height, Double duration, String trashedAt, String createdAt, String updatedAt, JsonObject fileData) {
    this.id = id;
    this.libraryId = libraryId;
    this.mimeType = mimeType;
    this.originalFileName = originalFileName;
    this.localDatetime = localDatetime;
    this.width = width;
    this.height = height;
    this.duration = duration;
    this.trashedAt = trashedAt;
    this.createdAt = createdAt;
    this.updatedAt = updatedAt;
    this.fileData = fileData;
  }

  public String id() {
    return id;
  }

  public String libraryId() {
    return libraryId;
  }

  public String mimeType() {
    return mimeType;
  }

  public String originalFileName() {
    return originalFileName;
  }

  public String localDatetime() {
    return localDatetime;
  }

  public Integer width() {
    return width;
  }

  public Integer height() {
    return height;
  }

  public Double duration() {
    return duration;
  }

  public String trashedAt() {
    return trashedAt;
  }

  public String createdAt() {
    return createdAt;
  }

  public String updatedAt() {
    return updatedAt;
  }

  public JsonObject fileData() {
    return fileData;
  }


  static Asset of(Row r, boolean withFileData) {
    JsonObject fileData = null;
    if (withFileData) {
      Base64.Encoder b64 = Base64.getEncoder();
      fileData = new JsonObject()
        .put("checksum", b64.encodeToString(r.getBuffer("checksum").getBytes()))
        .put("checksum_sha1", b64.encodeToString(r.getBuffer("checksum_sha1").getBytes()))
        .put("device_asset_id", r.getString("device_asset_id"))
        .put("device_id", r.getString("device_id"))
        .put("file_created_at", Json.time(r.getOffsetDateTime("file_created_at")))
        .put("file_modified_at", Json.time(r.getOffsetDateTime("file_modified_at")))
        .put("file_size_bytes", r.getLong("size_bytes"));
    }
    return new Asset(Ids.ASSET.format(r.getUUID("id")), Ids.LIBRARY.format(r.getUUID("library_id")),
      r.getString("mime_type"), r.getString("original_file_name"), localDatetime(r),
      r.getInteger("width"), r.getInteger("height"), r.getDouble("duration"),
      Json.time(r.getOffsetDateTime("trashed_at")), Json.time(r.getOffsetDateTime("created_at")),
      Json.time(r.getOffsetDateTime("updated_at")), fileData);
  }

  /** The wall clock with its offset, or naive when the offset is unknown (null). */
  private static String localDatetime(Row r) {
    Integer offsetSeconds = r.getInteger("local_offset_seconds");
    return new WallClock(r.getLocalDateTime("local_datetime"),
      offsetSeconds == null ? null : ZoneOffset.ofTotalSeconds(offsetSeconds)).format();
  }

  public Asset(JsonObject j) {
    this(j.getString("id"), j.getString("library_id"), j.getString("mime_type"), j.getString("original_file_name"),
      j.getString("local_datetime"), j.getInteger("width"), j.getInteger("height"), j.getDouble("duration"),
      j.getString("trashed_at"), j.getString("created_at"), j.getString("updated_at"), j.getJsonObject("file_data"));
  }

  @Override
  public JsonObject toJson() {
    JsonObject json = new JsonObject()
      .put("id", id)
      .put("library_id", libraryId)
      .put("mime_type", mimeType)
      .put("original_file_name", originalFileName)
      .put("local_datetime", localDatetime)
      .put("kind", "original")
      .put("current_version_id", Ids.ASSET_VERSION.format(Ids.ASSET.parse(id).orElseThrow()))
      .put("width", width)
      .put("height", height)
      .put("duration", duration)
      .put("trashed_at", trashedAt)
      .put("created_at", createdAt)
      .put("updated_at", updatedAt);
    if (fileData != null) {
      json.put("file_data", fileData);
    }
    return json;
  }
}
