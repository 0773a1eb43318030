package org.eucalypt.library;

import io.vertx.codegen.annotations.DataObject;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import org.eucalypt.bus.Json;
import org.eucalypt.id.Ids;

/**
 * The API's {@code LibraryResponse}, plus the trash state ({@code trashed_at}, {@code
 * purge_after}) a client needs to show a trash view. Ids are in Gumnut's public form.
 */
@DataObject
public final class Library implements Json.Shape {
  private final String id;
  private final String name;
  private final String description;
  private final String userId;
  private final long assetCount;
  private final long storageUsedBytes;
  private final Long storageLimitBytes;
  private final String trashedAt;
  private final String purgeAfter;
  private final String createdAt;
  private final String updatedAt;

  public Library(String id, String name, String description, String userId, long assetCount, long storageUsedBytes, Long storageLimitBytes, String trashedAt, String purgeAfter, String createdAt, String updatedAt) {
    this.id = id;
    this.name = name;
    this.description = description;
    this.userId = userId;
    this.assetCount = assetCount;
    this.storageUsedBytes = storageUsedBytes;
    this.storageLimitBytes = storageLimitBytes;
    this.trashedAt = trashedAt;
    this.purgeAfter = purgeAfter;
    this.createdAt = createdAt;
    this.updatedAt = updatedAt;
  }

  public String id() {
    return id;
  }

  public String name() {
    return name;
  }

  public String description() {
    return description;
  }

  public String userId() {
    return userId;
  }

  public long assetCount() {
    return assetCount;
  }

  public long storageUsedBytes() {
    return storageUsedBytes;
  }

  public Long storageLimitBytes() {
    return storageLimitBytes;
  }

  public String trashedAt() {
    return trashedAt;
  }

  public String purgeAfter() {
    return purgeAfter;
  }

  public String createdAt() {
    return createdAt;
  }

  public String updatedAt() {
    return updatedAt;
  }


  static Library of(Row r) {
    return new Library(Ids.LIBRARY.format(r.getUUID("id")), r.getString("name"), r.getString("description"),
      Ids.USER.format(r.getUUID("user_id")), r.getLong("asset_count"), r.getLong("storage_used_bytes"),
      r.getLong("storage_limit_bytes"), Json.time(r.getOffsetDateTime("trashed_at")),
      Json.time(r.getOffsetDateTime("purge_after")), Json.time(r.getOffsetDateTime("created_at")),
      Json.time(r.getOffsetDateTime("updated_at")));
  }

  public Library(JsonObject j) {
    this(j.getString("id"), j.getString("name"), j.getString("description"), j.getString("user_id"),
      j.getLong("asset_count"), j.getLong("storage_used_bytes"), j.getLong("storage_limit_bytes"),
      j.getString("trashed_at"), j.getString("purge_after"), j.getString("created_at"), j.getString("updated_at"));
  }

  @Override
  public JsonObject toJson() {
    return new JsonObject()
      .put("id", id)
      .put("name", name)
      .put("description", description)
      .put("user_id", userId)
      .put("asset_count", assetCount)
      .put("storage_used_bytes", storageUsedBytes)
      .put("storage_limit_bytes", storageLimitBytes)
      .put("trashed_at", trashedAt)
      .put("purge_after", purgeAfter)
      .put("created_at", createdAt)
      .put("updated_at", updatedAt);
  }
}
