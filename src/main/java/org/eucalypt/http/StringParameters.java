package org.eucalypt.http;

import io.vertx.core.Vertx;
import io.vertx.json.schema.JsonSchema;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.openapi.validation.impl.RequestValidatorImpl;

import java.util.Set;

/**
 * vertx-openapi's request validator, except that a parameter whose schema is a plain
 * {@code type: string} is the string the client sent.
 *
 * <p>Workaround for eclipse-vertx/vertx-openapi#114 (open; 5.0.10 still has it): its
 * ParameterTransformer decodes any value that is not all word characters as JSON, so a string
 * parameter {@code 1.5}, {@code -1} or {@code {}} became a number or an object and was refused as
 * "not a string" (a 422 where FastAPI, whose parameters here are {@code str}, takes the string),
 * and {@code "x"} lost its quotes. Every value of a query string or a path is a string, so such a
 * schema has nothing to check. What else the parameter needs (a missing required one, an array, a
 * pattern, another type) still goes to vertx-openapi.
 */
final class StringParameters extends RequestValidatorImpl {

  StringParameters(Vertx vertx, OpenAPIContract contract) {
    super(vertx, contract);
  }

  @Override
  public RequestParameter validateParameter(Parameter parameter, RequestParameter value) throws ValidatorException {
    if (value.get() instanceof String && onlyAString(parameter.getSchema())) {
      return value;
    }
    return super.validateParameter(parameter, value);
  }

  /** Keywords that annotate a schema without constraining what it accepts. */
  private static final Set<String> ANNOTATIONS = Set.of("description", "title", "examples", "$comment");

  /** {@code {type: string}} and annotations, nothing more (keys in {@code __} are vertx-openapi's own). */
  static boolean onlyAString(JsonSchema schema) {
    if (!"string".equals(schema.get("type"))) {
      return false;
    }
    for (String key : schema.fieldNames()) {
      if (!key.equals("type") && !key.startsWith("__") && !ANNOTATIONS.contains(key)) {
        return false;
      }
    }
    return true;
  }
}
