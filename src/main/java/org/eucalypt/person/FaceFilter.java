package org.eucalypt.person;

import io.vertx.codegen.annotations.DataObject;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * The filters of {@code list_faces}. {@code libraryId} may be null when the caller has exactly
 * one live library; {@code ids}, {@code assetId} and {@code personId} may be null.
 */
@DataObject
public final class FaceFilter {
  private final String libraryId;
  private final List<String> ids;
  private final String assetId;
  private final String personId;
  private final String startingAfterId;
  private final int limit;

  public FaceFilter(String libraryId, List<String> ids, String assetId, String personId, String startingAfterId,
                    int limit) {
    this.libraryId = libraryId;
    this.ids = ids;
    this.assetId = assetId;
    this.personId = personId;
    this.startingAfterId = startingAfterId;
    this.limit = limit;
  }

  public FaceFilter(JsonObject j) {
    this(j.getString("library_id"),
      j.getJsonArray("ids") == null ? null : j.getJsonArray("ids").stream().map(String::valueOf).toList(),
      j.getString("asset_id"), j.getString("person_id"), j.getString("starting_after_id"), j.getInteger("limit", 20));
  }

  public String libraryId() {
    return libraryId;
  }

  public List<String> ids() {
    return ids;
  }

  public String assetId() {
    return assetId;
  }

  public String personId() {
    return personId;
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
      .put("asset_id", assetId)
      .put("person_id", personId)
      .put("starting_after_id", startingAfterId)
      .put("limit", limit);
  }
}
