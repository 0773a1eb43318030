package org.eucalypt.stack;

import io.vertx.codegen.annotations.DataObject;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * The filters of {@code list_stacks}. {@code libraryId} may be null when the caller has exactly
 * one live library; {@code ids}, {@code origin} and {@code primaryAssetId} may be null for any;
 * {@code startingAfterId} is the last stack id of the previous page.
 */
@DataObject
public final class StackFilter {
  private final String libraryId;
  private final List<String> ids;
  private final String origin;
  private final String primaryAssetId;
  private final String startingAfterId;
  private final int limit;

  public StackFilter(String libraryId, List<String> ids, String origin, String primaryAssetId, String startingAfterId,
                     int limit) {
    this.libraryId = libraryId;
    this.ids = ids;
    this.origin = origin;
    this.primaryAssetId = primaryAssetId;
    this.startingAfterId = startingAfterId;
    this.limit = limit;
  }

  public StackFilter(JsonObject j) {
    this(j.getString("library_id"),
      j.getJsonArray("ids") == null ? null : j.getJsonArray("ids").stream().map(String::valueOf).toList(),
      j.getString("origin"), j.getString("primary_asset_id"), j.getString("starting_after_id"), j.getInteger("limit", 20));
  }

  public String libraryId() {
    return libraryId;
  }

  public List<String> ids() {
    return ids;
  }

  public String origin() {
    return origin;
  }

  public String primaryAssetId() {
    return primaryAssetId;
  }

  public String startingAfterId() {
    return startingAfterId;
  }

  public int limit() {
    return limit;
  }

  public JsonObject toJson() {
    return new JsonObject()
      .put("library_id", libraryId)
      .put("ids", ids == null ? null : new JsonArray(List.copyOf(ids)))
      .put("origin", origin)
      .put("primary_asset_id", primaryAssetId)
      .put("starting_after_id", startingAfterId)
      .put("limit", limit);
  }
}
