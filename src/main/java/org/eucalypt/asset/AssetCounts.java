package org.eucalypt.asset;

import io.vertx.codegen.annotations.DataObject;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eucalypt.bus.Json;

import java.util.List;

/** {@code count_assets}: {@code {time_bucket, count}} per month, newest first, and whether more follow. */
@DataObject
public final class AssetCounts implements Json.Shape {
  private final List<JsonObject> data;
  private final boolean hasMore;

  public AssetCounts(List<JsonObject> data, boolean hasMore) {
    this.data = data;
    this.hasMore = hasMore;
  }

  public List<JsonObject> data() {
    return data;
  }

  public boolean hasMore() {
    return hasMore;
  }


  public AssetCounts(JsonObject j) {
    this(j.getJsonArray("data").stream().map(JsonObject.class::cast).toList(), j.getBoolean("has_more"));
  }

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("data", new JsonArray(List.copyOf(data))).put("has_more", hasMore);
  }
}
