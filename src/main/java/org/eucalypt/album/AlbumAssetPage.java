package org.eucalypt.album;

import io.vertx.codegen.annotations.DataObject;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eucalypt.bus.Json;

import java.util.List;

/** A page of {@code list_album_assets}: the memberships, and whether more follow the last one. */
@DataObject
public final class AlbumAssetPage implements Json.Shape {
  private final List<AlbumAsset> data;
  private final boolean hasMore;

  public AlbumAssetPage(List<AlbumAsset> data, boolean hasMore) {
    this.data = data;
    this.hasMore = hasMore;
  }

  public List<AlbumAsset> data() {
    return data;
  }

  public boolean hasMore() {
    return hasMore;
  }

  public AlbumAssetPage(JsonObject j) {
    this(j.getJsonArray("data").stream().map(o -> new AlbumAsset((JsonObject) o)).toList(), j.getBoolean("has_more"));
  }

  @Override
  public JsonObject toJson() {
    JsonArray items = new JsonArray();
    data.forEach(a -> items.add(a.toJson()));
    return new JsonObject().put("data", items).put("has_more", hasMore);
  }
}
