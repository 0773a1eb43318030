package org.eucalypt.stack;

import io.vertx.codegen.annotations.DataObject;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eucalypt.bus.Json;

import java.util.List;

/** A page of {@code list_stacks}: the stacks, ordered by id, and whether more follow the last one. */
@DataObject
public final class StackPage implements Json.Shape {
  private final List<Stack> data;
  private final boolean hasMore;

  public StackPage(List<Stack> data, boolean hasMore) {
    this.data = data;
    this.hasMore = hasMore;
  }

  public StackPage(JsonObject j) {
    this(j.getJsonArray("data").stream().map(o -> new Stack((JsonObject) o)).toList(), j.getBoolean("has_more"));
  }

  public List<Stack> data() {
    return data;
  }

  public boolean hasMore() {
    return hasMore;
  }

  @Override
  public JsonObject toJson() {
    JsonArray items = new JsonArray();
    data.forEach(s -> items.add(s.toJson()));
    return new JsonObject().put("data", items).put("has_more", hasMore);
  }
}
