package org.eucalypt.bus;

import io.vertx.codegen.annotations.DataObject;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * A page of JSON items and whether more follow it ({@code {"data": [...], "has_more": ...}}): the
 * answer of {@code count_assets} (a {@code {time_bucket, count}} per month, newest first) and of
 * {@code get_events} (events in commit order).
 */
@DataObject
public final class JsonPage implements Json.Shape {
  private final List<JsonObject> data;
  private final boolean hasMore;

  public JsonPage(List<JsonObject> data, boolean hasMore) {
    this.data = data;
    this.hasMore = hasMore;
  }

  public JsonPage(JsonObject j) {
    this(j.getJsonArray("data").stream().map(JsonObject.class::cast).toList(), j.getBoolean("has_more"));
  }

  public List<JsonObject> data() {
    return data;
  }

  public boolean hasMore() {
    return hasMore;
  }

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("data", new JsonArray(List.copyOf(data))).put("has_more", hasMore);
  }
}
