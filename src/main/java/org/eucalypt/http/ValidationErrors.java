package org.eucalypt.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatorErrorType;
import io.vertx.openapi.validation.ValidatorException;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Translates vertx-openapi's validation failures into pydantic's error list: where the bad
 * value was ({@code loc}), a message for humans, and a stable machine {@code type}.
 */
final class ValidationErrors {
  /** vertx-openapi names the parameter only in its message: "... query parameter limit ...". */
  private static final Pattern PARAMETER = Pattern.compile("(query|path|header|cookie) parameter (\\S+?)[ .]");
  private static final Pattern REQUIRED_PROPERTY = Pattern.compile("required property \"?([^\"]+)\"?");
  private static final Pattern EXPECTED_TYPE = Pattern.compile("Expected (\\w+)");

  private ValidationErrors() {
  }

  static JsonObject[] from(RoutingContext ctx, ValidatorException e) {
    Matcher param = PARAMETER.matcher(e.getMessage());
    boolean isParameter = param.find();
    List<String> base = isParameter ? List.of(param.group(1), param.group(2)) : List.of("body");
    Object input = isParameter ? parameterInput(ctx, param.group(1), param.group(2)) : bodyInput(ctx);

    if (e.type() == ValidatorErrorType.MISSING_REQUIRED_PARAMETER && !(e instanceof SchemaValidationException)) {
      return new JsonObject[] {Problems.invalid(loc(base), "Field required", "missing", isParameter ? null : input)};
    }
    if (e.type() == ValidatorErrorType.ILLEGAL_VALUE || e.type() == ValidatorErrorType.INVALID_VALUE_FORMAT) {
      return new JsonObject[] {isParameter
        ? Problems.invalid(loc(base), "Input could not be parsed", "value_error", input)
        : Problems.invalid(loc(base), "JSON decode error", "json_invalid", input)};
    }
    if (e instanceof SchemaValidationException se && se.getOutputUnit() != null) {
      List<JsonObject> out = new ArrayList<>();
      for (OutputUnit unit : leaves(se.getOutputUnit())) {
        out.add(fromUnit(base, unit, input));
      }
      if (!out.isEmpty()) {
        return out.toArray(JsonObject[]::new);
      }
    }
    return new JsonObject[] {Problems.invalid(loc(base), e.getMessage(), "value_error", input)};
  }

  /** The innermost errors; an {@code anyOf} reports its branches below itself. */
  private static List<OutputUnit> leaves(OutputUnit unit) {
    List<OutputUnit> out = new ArrayList<>();
    if (unit.getErrors() == null || unit.getErrors().isEmpty()) {
      if (unit.getError() != null) {
        out.add(unit);
      }
      return out;
    }
    // Report the last, most specific error only: pydantic reports one per field.
    OutputUnit last = unit.getErrors().get(unit.getErrors().size() - 1);
    out.addAll(leaves(last).isEmpty() ? List.of(last) : leaves(last));
    return out;
  }

  private static JsonObject fromUnit(List<String> base, OutputUnit unit, Object input) {
    String keyword = lastSegment(unit.getKeywordLocation());
    List<String> path = new ArrayList<>(base);
    String instance = unit.getInstanceLocation() == null ? "" : unit.getInstanceLocation();
    for (String part : instance.replaceFirst("^#", "").split("/")) {
      if (!part.isEmpty()) {
        path.add(part.replace("~1", "/").replace("~0", "~"));
      }
    }
    String error = unit.getError() == null ? "" : unit.getError();
    Object value = valueAt(input, path.subList(base.size(), path.size()));
    return switch (keyword) {
      case "required" -> {
        Matcher m = REQUIRED_PROPERTY.matcher(error);
        if (m.find()) {
          path.add(m.group(1));
        }
        yield Problems.invalid(loc(path), "Field required", "missing", value);
      }
      case "type" -> typeError(path, error, value);
      case "maxLength" -> Problems.invalid(loc(path), "String should have at most " + limit(error) + " characters",
        "string_too_long", value);
      case "minLength" -> Problems.invalid(loc(path), "String should have at least " + limit(error) + " character(s)",
        "string_too_short", value);
      case "enum", "const" -> Problems.invalid(loc(path), "Input should be " + choices(error), "enum", value);
      case "minimum" -> Problems.invalid(loc(path), "Input should be greater than or equal to " + limit(error),
        "greater_than_equal", value);
      case "maximum" -> Problems.invalid(loc(path), "Input should be less than or equal to " + limit(error),
        "less_than_equal", value);
      case "maxItems" -> Problems.invalid(loc(path), "List should have at most " + limit(error) + " items",
        "too_long", value);
      case "minItems" -> Problems.invalid(loc(path), "List should have at least " + limit(error) + " item(s)",
        "too_short", value);
      default -> Problems.invalid(loc(path), error, "value_error", value);
    };
  }

  private static JsonObject typeError(List<String> path, String error, Object value) {
    Matcher m = EXPECTED_TYPE.matcher(error);
    String expected = m.find() ? m.group(1) : "";
    return switch (expected) {
      case "string" -> Problems.invalid(loc(path), "Input should be a valid string", "string_type", value);
      case "integer", "number" -> value instanceof String
        ? Problems.invalid(loc(path), "Input should be a valid integer, unable to parse string as an integer",
        "int_parsing", value)
        : Problems.invalid(loc(path), "Input should be a valid integer", "int_type", value);
      case "boolean" -> Problems.invalid(loc(path), "Input should be a valid boolean", "bool_type", value);
      case "array" -> Problems.invalid(loc(path), "Input should be a valid list", "list_type", value);
      case "object" -> Problems.invalid(loc(path), "Input should be a valid dictionary", "dict_type", value);
      default -> Problems.invalid(loc(path), error, "value_error", value);
    };
  }

  /** {@code ... any of ["live","trashed","all"]} becomes {@code 'live', 'trashed' or 'all'}, as pydantic says it. */
  private static String choices(String error) {
    int open = error.indexOf('[');
    if (open < 0) {
      return error;
    }
    try {
      JsonArray values = new JsonArray(error.substring(open));
      List<String> quoted = new ArrayList<>();
      values.forEach(v -> quoted.add("'" + v + "'"));
      if (quoted.size() == 1) {
        return quoted.get(0);
      }
      return String.join(", ", quoted.subList(0, quoted.size() - 1)) + " or " + quoted.get(quoted.size() - 1);
    } catch (RuntimeException e) {
      return error;
    }
  }

  private static String limit(String error) {
    Matcher m = Pattern.compile("(\\d+)").matcher(error);
    String last = "";
    while (m.find()) {
      last = m.group(1);
    }
    return last;
  }

  private static String lastSegment(String location) {
    if (location == null) {
      return "";
    }
    int i = location.lastIndexOf('/');
    return i < 0 ? location : location.substring(i + 1);
  }

  private static JsonArray loc(List<String> path) {
    JsonArray a = new JsonArray();
    for (String p : path) {
      a.add(p.matches("\\d+") ? (Object) Integer.valueOf(p) : p);
    }
    return a;
  }

  private static Object parameterInput(RoutingContext ctx, String in, String name) {
    return switch (in) {
      case "query" -> ctx.queryParams().get(name);
      case "path" -> Operations.rawPathParameter(ctx, name);
      case "header" -> ctx.request().getHeader(name);
      default -> null;
    };
  }

  private static Object bodyInput(RoutingContext ctx) {
    if (ctx.body() == null || ctx.body().buffer() == null) {
      return null;
    }
    try {
      return ctx.body().asJsonObject();
    } catch (RuntimeException notAnObject) {
      return ctx.body().asString();
    }
  }

  private static Object valueAt(Object input, List<String> path) {
    Object cur = input;
    for (String p : path) {
      if (cur instanceof JsonObject o) {
        cur = o.getValue(p);
      } else if (cur instanceof JsonArray a && p.matches("\\d+") && Integer.parseInt(p) < a.size()) {
        cur = a.getValue(Integer.parseInt(p));
      } else {
        return null;
      }
    }
    return cur;
  }
}
