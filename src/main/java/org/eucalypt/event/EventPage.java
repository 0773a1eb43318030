package org.eucalypt.event;

import io.vertx.codegen.annotations.DataObject;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eucalypt.bus.Json;

import java.util.List;

/** The API's {@code EventsResponse}: events in commit order, and whether more follow. */
@DataObject
public final class EventPage implements Json.Shape {
  private final List<JsonObject> data;
  private final boolean hasMore;

  public EventPage(List<JsonObject> data, boolean hasMore) {
    this.data = data;
    this.hasMore = hasMore;
  }

  public List<JsonObject> data() {
    return data;
  }

  public boolean hasMore() {
    return hasMore;
  }


  public EventPage(JsonObject j) {
    this(j.getJsonArray("data").stream().map(JsonObject.class::cast).toList(), j.getBoolean("has_more"));
  }

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("data", new JsonArray(List.copyOf(data))).put("has_more", hasMore);
  }
}
