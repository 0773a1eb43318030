package org.eucalypt.asset;

import io.vertx.codegen.annotations.DataObject;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eucalypt.bus.Json;

import java.util.List;

/** A page of {@code list_assets}: the assets, and whether more follow the last one. */
@DataObject
public final class AssetPage implements Json.Shape {
  private final List<Asset> data;
  private final boolean hasMore;

  public AssetPage(List<Asset> data, boolean hasMore) {
    this.data = data;
    this.hasMore = hasMore;
  }

  public List<Asset> data() {
    return data;
  }

  public boolean hasMore() {
    return hasMore;
  }


  public AssetPage(JsonObject j) {
    this(j.getJsonArray("data").stream().map(o -> new Asset((JsonObject) o)).toList(), j.getBoolean("has_more"));
  }

  @Override
  public JsonObject toJson() {
    JsonArray items = new JsonArray();
    data.forEach(a -> items.add(a.toJson()));
    return new JsonObject().put("data", items).put("has_more", hasMore);
  }
}
