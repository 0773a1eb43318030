package org.eucalypt.person;

import io.vertx.codegen.annotations.DataObject;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eucalypt.bus.Json;

import java.util.List;

/** A page of a person list and whether more follow its last item. */
@DataObject
public final class PersonPage implements Json.Shape {
  private final List<Person> data;
  private final boolean hasMore;

  public PersonPage(List<Person> data, boolean hasMore) {
    this.data = data;
    this.hasMore = hasMore;
  }

  public PersonPage(JsonObject j) {
    this(j.getJsonArray("data").stream().map(o -> new Person((JsonObject) o)).toList(), j.getBoolean("has_more"));
  }

  public List<Person> data() {
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
