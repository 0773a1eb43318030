package org.eucalypt.http;

import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.json.schema.Validator;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cached validators answer exactly as vertx-json-schema's own, only faster where they can. */
class CachedValidatorsTest {
  private final SchemaRepository general = SchemaRepository.create(
    new JsonSchemaOptions().setDraft(Draft.DRAFT202012).setBaseUri("app:///"));
  private final SchemaRepository cached = new CachedValidators.Repository(general);

  @Test
  void aPlainStringSchemaAcceptsStringsAndJudgesTheRestAsTheGeneralValidatorDoes() {
    JsonSchema schema = JsonSchema.of(new JsonObject().put("type", "string").put("description", "an id"));
    Validator validator = cached.validator(schema);
    assertTrue(validator.validate("lib_anything").getValid());
    assertTrue(validator.validate("").getValid());
    for (Object notAString : new Object[] {42, true, new JsonObject(), null}) {
      OutputUnit fast = validator.validate(notAString);
      OutputUnit slow = general.validator(schema).validate(notAString);
      assertFalse(fast.getValid(), "accepted " + notAString);
      assertEquals(slow.toJson(), fast.toJson(), "for " + notAString);
    }
  }

  @Test
  void aConstrainedStringSchemaIsLeftToTheGeneralValidator() {
    for (JsonObject constrained : new JsonObject[] {
      new JsonObject().put("type", "string").put("minLength", 3),
      new JsonObject().put("type", "string").put("pattern", "^lib_"),
      new JsonObject().put("type", "string").put("enum", new io.vertx.core.json.JsonArray().add("live")),
      new JsonObject().put("type", "string").put("format", "date-time")}) {
      JsonSchema schema = JsonSchema.of(constrained);
      assertFalse(CachedValidators.Repository.onlyAString(schema), constrained.encode());
      Validator validator = cached.validator(schema);
      assertEquals(general.validator(schema).validate("xy").getValid(), validator.validate("xy").getValid(),
        constrained.encode());
    }
    assertFalse(cached.validator(JsonSchema.of(new JsonObject().put("type", "string").put("minLength", 3)))
      .validate("xy").getValid());
  }

  @Test
  void oneValidatorPerSchema() {
    JsonSchema schema = JsonSchema.of(new JsonObject().put("type", "integer"));
    assertSame(cached.validator(schema), cached.validator(schema));
  }
}
