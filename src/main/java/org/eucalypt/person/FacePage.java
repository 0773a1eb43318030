package org.eucalypt.person;

import io.vertx.codegen.annotations.DataObject;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eucalypt.bus.Json;

import java.util.List;

/** A page of a face list and whether more follow its last item. */
@DataObject
public final class FacePage implements Json.Shape {
  private final List<Face> data;
  private final boolean hasMore;

  public FacePage(List<Face> data, boolean hasMore) {
    this.data = data;
    this.hasMore = hasMore;
  }

  public FacePage(JsonObject j) {
    this(j.getJsonArray("data").stream().map(o -> new Face((JsonObject) o)).toList(), j.getBoolean("has_more"));
  }

  public List<Face> data() {
    return data;
  }

  public boolean hasMore() {
    return hasMore;
  }

  @Override
  public JsonObject toJson() {
    JsonArray items = new JsonArray();
    data.forEach(x -> items.add(x.toJson()));
    return new JsonObject().put("data", items).put("has_more", hasMore);
  }
}
