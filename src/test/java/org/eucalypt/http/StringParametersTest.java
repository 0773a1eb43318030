package org.eucalypt.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.JsonSchema;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which schemas take a parameter's string as sent: a plain string and its annotations only.
 * What a request gets for one is in LibraryApiTest (ids that look like JSON are 404, not 422).
 */
class StringParametersTest {

  @Test
  void aPlainStringWithAnnotationsOnly() {
    assertTrue(StringParameters.onlyAString(JsonSchema.of(new JsonObject().put("type", "string"))));
    assertTrue(StringParameters.onlyAString(JsonSchema.of(new JsonObject().put("type", "string")
      .put("title", "Library Id").put("description", "an id").put("examples", new JsonArray().add("lib_x")))));
  }

  @Test
  void anythingThatConstrainsTheStringIsLeftToTheValidator() {
    for (JsonObject constrained : new JsonObject[] {
      new JsonObject().put("type", "string").put("minLength", 3),
      new JsonObject().put("type", "string").put("pattern", "^lib_"),
      new JsonObject().put("type", "string").put("enum", new JsonArray().add("live")),
      new JsonObject().put("type", "string").put("format", "date-time"),
      new JsonObject().put("type", "integer"),
      new JsonObject().put("type", "array").put("items", new JsonObject().put("type", "string"))}) {
      assertFalse(StringParameters.onlyAString(JsonSchema.of(constrained)), constrained.encode());
    }
  }
}
