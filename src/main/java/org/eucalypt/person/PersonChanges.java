package org.eucalypt.person;

import io.vertx.codegen.annotations.DataObject;
import io.vertx.core.json.JsonObject;

/**
 * The body of {@code create_person} and {@code update_person}, as JSON: for an update only the
 * fields present change, and an explicit null clears (name, birth date, thumbnail), so presence
 * is what the body says. {@code birth_date} is an ISO date the HTTP layer checked.
 */
@DataObject
public final class PersonChanges {
  private static final String[] FIELDS = {"name", "birth_date", "is_favorite", "is_hidden", "thumbnail_face_id"};

  private final JsonObject body;

  public PersonChanges(JsonObject body) {
    JsonObject kept = new JsonObject();
    for (String f : FIELDS) {
      if (body.containsKey(f)) {
        kept.put(f, body.getValue(f));
      }
    }
    this.body = kept;
  }

  public boolean has(String field) {
    return body.containsKey(field);
  }

  public String string(String field) {
    return body.getString(field);
  }

  /** A boolean given as null is taken as not given: the columns have no null. */
  public Boolean flag(String field) {
    return body.getBoolean(field);
  }

  public JsonObject toJson() {
    return body.copy();
  }
}
