package org.eucalypt.stack;

import io.vertx.codegen.annotations.DataObject;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import org.eucalypt.bus.Json;
import org.eucalypt.id.Ids;

/**
 * Gumnut's {@code StackResponse}: a group of assets shown as one tile. {@code asset_count} counts
 * the live members only; {@code primary_asset_id} is the pinned cover or null (no server-picked
 * default); {@code library_id} is eucalypt's extension, as on assets.
 */
@DataObject
public final class Stack implements Json.Shape {
  private final String id;
  private final String libraryId;
  private final String origin;
  private final String primaryAssetId;
  private final long assetCount;
  private final String createdAt;
  private final String updatedAt;

  public Stack(String id, String libraryId, String origin, String primaryAssetId, long assetCount, String createdAt,
               String updatedAt) {
    this.id = id;
    this.libraryId = libraryId;
    this.origin = origin;
    this.primaryAssetId = primaryAssetId;
    this.assetCount = assetCount;
    this.createdAt = createdAt;
    this.updatedAt = updatedAt;
  }

  public Stack(JsonObject j) {
    this(j.getString("id"), j.getString("library_id"), j.getString("origin"), j.getString("primary_asset_id"),
      j.getLong("asset_count"), j.getString("created_at"), j.getString("updated_at"));
  }

  /** A row of {@link StackSql#COLUMNS}. */
  static Stack of(Row r) {
    java.util.UUID primary = r.getUUID("primary_asset_id");
    return new Stack(Ids.STACK.format(r.getUUID("id")), Ids.LIBRARY.format(r.getUUID("library_id")),
      r.getString("origin"), primary == null ? null : Ids.ASSET.format(primary), r.getLong("asset_count"),
      Json.time(r.getOffsetDateTime("created_at")), Json.time(r.getOffsetDateTime("updated_at")));
  }

  public String id() {
    return id;
  }

  public String libraryId() {
    return libraryId;
  }

  public String origin() {
    return origin;
  }

  public String primaryAssetId() {
    return primaryAssetId;
  }

  public long assetCount() {
    return assetCount;
  }

  public String createdAt() {
    return createdAt;
  }

  public String updatedAt() {
    return updatedAt;
  }

  @Override
  public JsonObject toJson() {
    return new JsonObject()
      .put("id", id)
      .put("library_id", libraryId)
      .put("origin", origin)
      .put("primary_asset_id", primaryAssetId)
      .put("asset_count", assetCount)
      .put("created_at", createdAt)
      .put("updated_at", updatedAt);
  }
}
