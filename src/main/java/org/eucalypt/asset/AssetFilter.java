package org.eucalypt.asset;

import io.vertx.codegen.annotations.DataObject;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * The filters of {@code list_assets} and {@code count_assets}. {@code libraryId} may be null when
 * the caller has exactly one live library; ids are public ({@code asset_...}); times are ISO 8601,
 * with an offset or naive ({@link WallClock}), each compared as Gumnut documents (see
 * {@link AssetQuery}). {@code limit} is the page size (list) or the number of months (counts).
 */
@DataObject
public final class AssetFilter {
  private final String libraryId;
  private final String state;
  private final String order;
  private final String mediaType;
  private final int limit;
  private final String startingAfterId;
  private final List<String> ids;
  private final String localDatetimeAfter;
  private final String localDatetimeBefore;
  private final List<String> include;
  private final String stackId;
  private String albumId;
  private String albumFilter;
  /** Only assets with faces of every one of these people (Gumnut: intersection); null for any. */
  private List<String> personIds;

  public AssetFilter(String libraryId, String state, String order, String mediaType, int limit, String startingAfterId, List<String> ids, String localDatetimeAfter, String localDatetimeBefore, List<String> include) {
    this(libraryId, state, order, mediaType, limit, startingAfterId, ids, localDatetimeAfter, localDatetimeBefore,
      include, null);
  }

  public AssetFilter(String libraryId, String state, String order, String mediaType, int limit, String startingAfterId, List<String> ids, String localDatetimeAfter, String localDatetimeBefore, List<String> include, String stackId) {
    this.libraryId = libraryId;
    this.state = state;
    this.order = order;
    this.mediaType = mediaType;
    this.limit = limit;
    this.startingAfterId = startingAfterId;
    this.ids = ids;
    this.localDatetimeAfter = localDatetimeAfter;
    this.localDatetimeBefore = localDatetimeBefore;
    this.include = include == null ? List.of() : include;
    this.stackId = stackId;
  }

  public String libraryId() {
    return libraryId;
  }

  public String state() {
    return state;
  }

  public String order() {
    return order;
  }

  public String mediaType() {
    return mediaType;
  }

  public int limit() {
    return limit;
  }

  public String startingAfterId() {
    return startingAfterId;
  }

  public List<String> ids() {
    return ids;
  }

  public String localDatetimeAfter() {
    return localDatetimeAfter;
  }

  public String localDatetimeBefore() {
    return localDatetimeBefore;
  }

  /**
   * The same filter, keeping only assets of one album ({@code album_id}, public) and/or, by
   * {@code album_filter}, those in some album ({@code in_album}) or in none ({@code not_in_album}).
   */
  public AssetFilter withAlbum(String albumId, String albumFilter) {
    AssetFilter f = new AssetFilter(libraryId, state, order, mediaType, limit, startingAfterId, ids, localDatetimeAfter,
      localDatetimeBefore, include, stackId);
    f.albumId = albumId;
    f.albumFilter = albumFilter;
    return f;
  }

  /** This filter narrowed to assets showing every one of these people (null: any), its other filters kept. */
  public AssetFilter withPersonIds(List<String> personIds) {
    AssetFilter f = withAlbum(albumId, albumFilter);
    f.personIds = personIds;
    return f;
  }

  public List<String> personIds() {
    return personIds;
  }

  public String albumId() {
    return albumId;
  }

  /** {@code all} (or null), {@code in_album} or {@code not_in_album}. */
  public String albumFilter() {
    return albumFilter;
  }

  /** The opt-in parts of each asset ({@code include=}); never null. */
  public List<String> include() {
    return include;
  }

  /** Only the members of this stack ({@code asset_stack_...}); null for any. */
  public String stackId() {
    return stackId;
  }


  public AssetFilter(JsonObject j) {
    this(j.getString("library_id"), j.getString("state", "live"), j.getString("order", "desc"),
      j.getString("media_type"), j.getInteger("limit", 20), j.getString("starting_after_id"),
      j.getJsonArray("ids") == null ? null : j.getJsonArray("ids").stream().map(String::valueOf).toList(),
      j.getString("local_datetime_after"), j.getString("local_datetime_before"),
      j.getJsonArray("include") == null ? List.of() : j.getJsonArray("include").stream().map(String::valueOf).toList(),
      j.getString("stack_id"));
    this.albumId = j.getString("album_id");
    this.albumFilter = j.getString("album_filter");
    this.personIds = j.getJsonArray("person_ids") == null ? null
      : j.getJsonArray("person_ids").stream().map(String::valueOf).toList();
  }

  public JsonObject toJson() {
    return new JsonObject()
      .put("library_id", libraryId)
      .put("state", state)
      .put("order", order)
      .put("media_type", mediaType)
      .put("limit", limit)
      .put("starting_after_id", startingAfterId)
      .put("ids", ids == null ? null : new JsonArray(List.copyOf(ids)))
      .put("local_datetime_after", localDatetimeAfter)
      .put("local_datetime_before", localDatetimeBefore)
      .put("include", new JsonArray(List.copyOf(include)))
      .put("stack_id", stackId)
      .put("album_id", albumId)
      .put("album_filter", albumFilter)
      .put("person_ids", personIds == null ? null : new JsonArray(List.copyOf(personIds)));
  }
}
