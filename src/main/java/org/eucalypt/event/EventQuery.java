package org.eucalypt.event;

import io.vertx.codegen.annotations.DataObject;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * The filters of {@code get_events}: a library ({@code lib_...}; optional when the caller has
 * exactly one live library), the cursor of the last event seen, a creation-time window (ISO 8601
 * with an offset), entity types and a page size.
 */
@DataObject
public final class EventQuery {
  private final String libraryId;
  private final String afterCursor;
  private final String createdAtGte;
  private final String createdAtLt;
  private final List<String> entityTypes;
  private final int limit;

  public EventQuery(String libraryId, String afterCursor, String createdAtGte, String createdAtLt, List<String> entityTypes, int limit) {
    this.libraryId = libraryId;
    this.afterCursor = afterCursor;
    this.createdAtGte = createdAtGte;
    this.createdAtLt = createdAtLt;
    this.entityTypes = entityTypes;
    this.limit = limit;
  }

  public String libraryId() {
    return libraryId;
  }

  public String afterCursor() {
    return afterCursor;
  }

  public String createdAtGte() {
    return createdAtGte;
  }

  public String createdAtLt() {
    return createdAtLt;
  }

  public List<String> entityTypes() {
    return entityTypes;
  }

  public int limit() {
    return limit;
  }


  public EventQuery(JsonObject j) {
    this(j.getString("library_id"), j.getString("after_cursor"), j.getString("created_at_gte"),
      j.getString("created_at_lt"),
      j.getJsonArray("entity_types") == null ? null
        : j.getJsonArray("entity_types").stream().map(String::valueOf).toList(),
      j.getInteger("limit", 20));
  }

  public JsonObject toJson() {
    return new JsonObject()
      .put("library_id", libraryId)
      .put("after_cursor", afterCursor)
      .put("created_at_gte", createdAtGte)
      .put("created_at_lt", createdAtLt)
      .put("entity_types", entityTypes == null ? null : new JsonArray(List.copyOf(entityTypes)))
      .put("limit", limit);
  }
}
