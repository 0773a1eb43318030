package org.eucalypt.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.SchemaRepository;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The cached validators answer exactly as vertx-json-schema's own. */
class CachedValidatorsTest {
  private final SchemaRepository general = SchemaRepository.create(
    new JsonSchemaOptions().setDraft(Draft.DRAFT202012).setBaseUri("app:///"));
  private final SchemaRepository cached = new CachedValidators.Repository(general);

  @Test
  void answersAsTheGeneralValidator() {
    JsonObject[] schemas = {
      new JsonObject().put("type", "string").put("description", "an id"),
      new JsonObject().put("type", "string").put("minLength", 3),
      new JsonObject().put("type", "integer").put("minimum", 1),
      new JsonObject().put("type", "object").put("required", new JsonArray().add("name"))
        .put("properties", new JsonObject().put("name", new JsonObject().put("type", "string")))};
    Object[] instances = {"lib_x", "xy", "", 42, 0, true, null, new JsonObject(), new JsonObject().put("name", 1),
      new JsonObject().put("name", "n")};
    for (JsonObject s : schemas) {
      JsonSchema schema = JsonSchema.of(s);
      for (Object instance : instances) {
        assertEquals(general.validator(schema).validate(instance).toJson(), cached.validator(schema).validate(instance).toJson(),
          s.encode() + " for " + instance);
      }
    }
  }

  @Test
  void oneValidatorPerSchema() {
    JsonSchema schema = JsonSchema.of(new JsonObject().put("type", "integer"));
    assertSame(cached.validator(schema), cached.validator(schema));
  }
}
