package org.eucalypt.person;

import io.vertx.codegen.annotations.DataObject;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * The filters of {@code list_people}, as the HTTP layer validated them. {@code libraryId} may be
 * null when the caller has exactly one live library; {@code ids}, {@code assetId}, {@code albumId}
 * and {@code name} may be null; {@code nameFilter} ({@code named}, {@code unnamed}, {@code all}) and {@code sort}
 * are resolved to their defaults already.
 */
@DataObject
public final class PersonFilter {
  private final String libraryId;
  private final List<String> ids;
  private final String assetId;
  private final String albumId;
  private final String name;
  private final String nameFilter;
  private final String sort;
  private final String startingAfterId;
  private final int limit;

  public PersonFilter(String libraryId, List<String> ids, String assetId, String albumId, String name, String nameFilter,
                      String sort, String startingAfterId, int limit) {
    this.libraryId = libraryId;
    this.ids = ids;
    this.assetId = assetId;
    this.albumId = albumId;
    this.name = name;
    this.nameFilter = nameFilter;
    this.sort = sort;
    this.startingAfterId = startingAfterId;
    this.limit = limit;
  }

  public PersonFilter(JsonObject j) {
    this(j.getString("library_id"),
      j.getJsonArray("ids") == null ? null : j.getJsonArray("ids").stream().map(String::valueOf).toList(),
      j.getString("asset_id"), j.getString("album_id"), j.getString("name"), j.getString("name_filter", "named"),
      j.getString("sort", "created_at_desc"), j.getString("starting_after_id"), j.getInteger("limit", 20));
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

  public String albumId() {
    return albumId;
  }

  public String name() {
    return name;
  }

  public String nameFilter() {
    return nameFilter;
  }

  public String sort() {
    return sort;
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
      .put("album_id", albumId)
      .put("name", name)
      .put("name_filter", nameFilter)
      .put("sort", sort)
      .put("starting_after_id", startingAfterId)
      .put("limit", limit);
  }
}
