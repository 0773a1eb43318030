package org.eucalypt.album;

import io.vertx.codegen.annotations.DataObject;
import io.vertx.core.json.JsonObject;

/**
 * The body of {@code create_album} or {@code update_album}, as sent: a field left out is
 * unchanged, one sent as null is cleared ({@code description}, {@code album_cover_asset_id}). Kept
 * as the JSON itself so that "absent" and "null" stay apart on the event bus too.
 */
@DataObject
public final class AlbumChanges {
  private final JsonObject body;

  public AlbumChanges(JsonObject body) {
    this.body = body == null ? new JsonObject() : body.copy();
  }

  public JsonObject toJson() {
    return body.copy();
  }

  /** {@code create_album} only: where the album goes (null: the caller's only live library). */
  public String libraryId() {
    return body.getString("library_id");
  }

  /** A null name leaves it as it is: an album always has one (the empty name, when none was given). */
  public boolean hasName() {
    return body.getString("name") != null;
  }

  public String name() {
    return body.getString("name");
  }

  public boolean hasDescription() {
    return body.containsKey("description");
  }

  public String description() {
    return body.getString("description");
  }

  public boolean hasCover() {
    return body.containsKey("album_cover_asset_id");
  }

  public String coverAssetId() {
    return body.getString("album_cover_asset_id");
  }
}
