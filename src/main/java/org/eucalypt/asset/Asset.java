package org.eucalypt.asset;

import io.vertx.codegen.annotations.DataObject;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import org.eucalypt.bus.Json;
import org.eucalypt.id.Ids;

import java.time.ZoneOffset;
import java.util.Base64;

/**
 * The API's {@code AssetResponse} without {@code asset_urls}, which the HTTP layer adds since
 * only it knows the address clients reach the server at. {@code parts} holds the opt-in parts
 * that were asked for ({@code include=}): {@code file_data}; {@code metadata} (what the upload
 * and the rendition task read from the file, under the user's edits); {@code faces} and
 * {@code people} (the faces drawn on the asset and the people they are assigned to; {@code []}
 * when none); {@code metrics} ({@code {}}: eucalypt computes no ML scores).
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
  private final String thumbhash;
  private final String trashedAt;
  private final String createdAt;
  private final String updatedAt;
  private final JsonObject parts;
  /** The stack the asset is in ({@code asset_stack_...}), or null. */
  private final String stackId;

  public Asset(String id, String libraryId, String mimeType, String originalFileName, String localDatetime, Integer width, Integer height, Double duration, String thumbhash, String trashedAt, String createdAt, String updatedAt, JsonObject parts) {
    this(id, libraryId, mimeType, originalFileName, localDatetime, width, height, duration, thumbhash, trashedAt,
      createdAt, updatedAt, parts, null);
  }

  public Asset(String id, String libraryId, String mimeType, String originalFileName, String localDatetime, Integer width, Integer height, Double duration, String thumbhash, String trashedAt, String createdAt, String updatedAt, JsonObject parts, String stackId) {
    this.id = id;
    this.libraryId = libraryId;
    this.mimeType = mimeType;
    this.originalFileName = originalFileName;
    this.localDatetime = localDatetime;
    this.width = width;
    this.height = height;
    this.duration = duration;
    this.thumbhash = thumbhash;
    this.trashedAt = trashedAt;
    this.createdAt = createdAt;
    this.updatedAt = updatedAt;
    this.parts = parts;
    this.stackId = stackId;
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

  /** Base64 ThumbHash of the picture (a video's still); null until its rendition task has run. */
  public String thumbhash() {
    return thumbhash;
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

  public JsonObject parts() {
    return parts;
  }

  public String stackId() {
    return stackId;
  }


  /** The opt-in parts an asset can carry, as {@code include=} names them. */
  public static final java.util.List<String> PARTS = java.util.List.of("file_data", "metadata", "faces", "people",
    "metrics", "variants");

  static Asset of(Row r, java.util.Collection<String> include) {
    String id = Ids.ASSET.format(r.getUUID("id"));
    String localDatetime = localDatetime(r);
    String created = Json.time(r.getOffsetDateTime("created_at"));
    String updated = Json.time(r.getOffsetDateTime("updated_at"));
    JsonObject parts = new JsonObject();
    if (include.contains("file_data")) {
      Base64.Encoder b64 = Base64.getEncoder();
      parts.put("file_data", new JsonObject()
        .put("checksum", b64.encodeToString(r.getBuffer("checksum").getBytes()))
        .put("checksum_sha1", b64.encodeToString(r.getBuffer("checksum_sha1").getBytes()))
        .put("device_asset_id", r.getString("device_asset_id"))
        .put("device_id", r.getString("device_id"))
        .put("file_created_at", Json.time(r.getOffsetDateTime("file_created_at")))
        .put("file_modified_at", Json.time(r.getOffsetDateTime("file_modified_at")))
        .put("file_size_bytes", r.getLong("size_bytes")));
    }
    if (include.contains("metadata")) {
      parts.put("metadata", metadata(r, id, localDatetime, created, updated));
    }
    if (include.contains("faces")) {
      parts.put("faces", new JsonArray());
    }
    if (include.contains("people")) {
      parts.put("people", new JsonArray());
    }
    if (include.contains("metrics")) {
      parts.put("metrics", new JsonObject());
    }
    return new Asset(id, Ids.LIBRARY.format(r.getUUID("library_id")), r.getString("mime_type"),
      r.getString("original_file_name"), localDatetime, r.getInteger("width"), r.getInteger("height"),
      r.getDouble("duration"), r.getString("thumbhash"), Json.time(r.getOffsetDateTime("trashed_at")), created, updated,
      parts, r.getUUID("stack_id") == null ? null : Ids.STACK.format(r.getUUID("stack_id")));
  }

  /**
   * This asset with {@code metadata} completed by what its rendition task read from the file
   * (camera, exposure, GPS, times). What the row gave stays: the user's edits, and
   * {@code original_datetime}, the capture time the asset sorts by (the file's own, read the
   * same way at upload, unless edited). {@code updated_at}: the later of the task's reading and
   * the asset's last change (an edit, say).
   */
  Asset withFileMetadata(JsonObject data, String createdAt, String updatedAt) {
    JsonObject own = parts.getJsonObject("metadata");
    JsonObject metadata = new JsonObject();
    data.forEach(field -> {
      if (field.getValue() != null) {
        metadata.put(field.getKey(), field.getValue());
      }
    });
    metadata.mergeIn(own);
    String edited = own.getString("updated_at");
    metadata.put("created_at", createdAt)
      .put("updated_at", edited != null && edited.compareTo(updatedAt) > 0 ? edited : updatedAt);
    return new Asset(id, libraryId, mimeType, originalFileName, localDatetime, width, height, duration, thumbhash,
      trashedAt, this.createdAt, this.updatedAt, parts.copy().put("metadata", metadata), stackId);
  }

  /** This asset with its faces and people ({@code include=faces|people}), each only if asked for. */
  Asset withFacesAndPeople(JsonArray faces, JsonArray people) {
    JsonObject withParts = parts.copy();
    if (withParts.containsKey("faces")) {
      withParts.put("faces", faces);
    }
    if (withParts.containsKey("people")) {
      withParts.put("people", people);
    }
    return new Asset(id, libraryId, mimeType, originalFileName, localDatetime, width, height, duration, thumbhash,
      trashedAt, createdAt, updatedAt, withParts, stackId);
  }

  /** This asset with the renditions made of it so far, by {@code asset_urls} key ({@code include=variants}). */
  Asset withVariants(JsonObject made) {
    return new Asset(id, libraryId, mimeType, originalFileName, localDatetime, width, height, duration, thumbhash,
      trashedAt, createdAt, updatedAt, parts.copy().put("variants", made), stackId);
  }

  /**
   * MetadataResponse as the asset row knows it: its id, the capture time it sorts by (edited, or
   * the file's) and the user's edits of description and position (only those present). What the
   * rendition task read from the file fills the rest ({@link #withFileMetadata}).
   */
  private static JsonObject metadata(Row r, String id, String localDatetime, String created, String updated) {
    JsonObject m = new JsonObject().put("asset_id", id).put("original_datetime", localDatetime);
    String description = r.getString("edited_description");
    if (description != null) {
      m.put("description", description);
    }
    Double latitude = r.getDouble("edited_latitude");
    if (latitude != null) {
      m.put("latitude", latitude).put("longitude", r.getDouble("edited_longitude"));
    }
    return m.put("created_at", created).put("updated_at", updated);
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
      j.getString("thumbhash"), j.getString("trashed_at"), j.getString("created_at"), j.getString("updated_at"), partsOf(j),
      j.getString("stack_id"));
  }

  private static JsonObject partsOf(JsonObject j) {
    JsonObject parts = new JsonObject();
    for (String part : PARTS) {
      if (j.containsKey(part)) {
        parts.put(part, j.getValue(part));
      }
    }
    return parts;
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
      .put("current_version_id", Ids.ASSET_VERSION.sameUuidAs(Ids.ASSET, id))
      .put("width", width)
      .put("height", height)
      .put("duration", duration)
      .put("thumbhash", thumbhash)
      .put("trashed_at", trashedAt)
      .put("stack_id", stackId)
      .put("created_at", createdAt)
      .put("updated_at", updatedAt);
    return json.mergeIn(parts);
  }
}
