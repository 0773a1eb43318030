package org.eucalypt.support;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.impl.ClientPhase;
import io.vertx.ext.web.client.impl.HttpContext;
import io.vertx.ext.web.client.impl.WebClientBase;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Response;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatableResponse;
import org.opentest4j.AssertionFailedError;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks every answer a test receives against {@code openapi.yaml}, the contract the Gumnut SDKs
 * are generated from: the operation is found by method and path, and the status must be one it
 * documents, with the documented content type and a body its schema accepts. A mismatch fails the
 * request, and so the test that made it, naming the operation, the status and the schema error.
 * Requests to paths the contract does not describe (/health, /docs, unknown routes) are not checked.
 */
public final class ContractCheck {
  /**
   * Statuses the server may answer on any operation without each one listing them; their body
   * must still be an {@code HTTPError}. 400: a URL that does not decode (MalformedRequests);
   * 401: a missing, unknown or turned-off key (Authentication, every operation but ping);
   * 403: a key without the operation's action (Permissions); 413: a body over the limit;
   * 500, 503: the server's last-resort answers (Problems); 502, 507: the blob store failed or
   * is full (StorageFailures), on any operation that reads or writes files; 404, 405: a path or
   * method no operation serves (http.RouteGuard), which this check can only attribute to the
   * operation whose template the path happens to match.
   */
  static final Set<Integer> GENERIC_STATUSES = Set.of(400, 401, 403, 404, 405, 413, 500, 502, 503, 507);

  private final OpenAPIContract contract;
  private final ResponseValidator validator;
  private final io.vertx.json.schema.Validator httpError;

  private ContractCheck(Vertx vertx, OpenAPIContract contract) {
    this.contract = contract;
    this.validator = ResponseValidator.create(vertx, contract);
    JsonObject schema = contract.getRawContract().getJsonObject("components").getJsonObject("schemas")
      .getJsonObject("HTTPError");
    this.httpError = contract.getSchemaRepository().validator(JsonSchema.of(schema));
  }

  /** Makes {@code client} check every answer it receives; answers {@code client}. */
  public static WebClient attach(Vertx vertx, WebClient client) {
    ContractCheck check = new ContractCheck(vertx, OpenAPIContract.from(vertx, "openapi.yaml").await());
    ((WebClientBase) client).addInterceptor(check.interceptor());
    return client;
  }

  private Handler<HttpContext<?>> interceptor() {
    return ctx -> {
      if (ctx.phase() != ClientPhase.DISPATCH_RESPONSE) {
        ctx.next();
        return;
      }
      String path = ctx.request().uri().replaceFirst("[?#].*$", "");
      Operation op = operation(ctx.request().method(), path);
      if (op == null) {
        ctx.next();
        return;
      }
      check(op, ctx.request().method(), ctx.response()).onComplete(ok -> ctx.next(), ctx::fail);
    };
  }

  private Operation operation(HttpMethod method, String path) {
    Operation op = contract.findOperation(path, method);
    if (op == null && path.length() > 1) {
      // The server answers a path with or without its trailing slash alike.
      op = contract.findOperation(path.endsWith("/") ? path.substring(0, path.length() - 1) : path + "/", method);
    }
    return op;
  }

  private Future<Void> check(Operation op, HttpMethod method, HttpResponse<?> res) {
    int status = res.statusCode();
    String where = op.getOperationId() + " " + status;
    Buffer body = bodyOf(res.body());
    if (method == HttpMethod.HEAD) {
      // A HEAD answer never has a body, whatever the GET would carry: only its status is checked.
      return op.getResponse(status) != null || GENERIC_STATUSES.contains(status) ? Future.succeededFuture()
        : fail(where, Set.of(), "status not documented for this operation");
    }
    String contentType = res.getHeader("content-type") == null ? null
      : res.getHeader("content-type").replaceFirst(";.*$", "").trim();
    Response documented = op.getResponse(status);
    if (documented == null) {
      if (!GENERIC_STATUSES.contains(status)) {
        return fail(where, Set.of(), "status not documented for this operation; body: " + shown(body));
      }
      OutputUnit out = httpError.validate(parse(body));
      return out.getValid() ? Future.succeededFuture()
        : fail(where, Set.of(), "not an HTTPError: " + out.getErrors() + "; body: " + shown(body));
    }
    if (!documented.getContent().isEmpty() && contentType != null && !documented.getContent().containsKey(contentType)) {
      if (documented.getContent().keySet().equals(Set.of("application/octet-stream"))) {
        // A download: the bytes come with the asset's own type, and there is no schema to apply.
        return Future.succeededFuture();
      }
      return fail(where, Set.of(), "content-type " + contentType + " is not one of " + documented.getContent().keySet()
        + "; body: " + shown(body));
    }
    if (contentType != null && contentType.startsWith("text/")) {
      // vertx-openapi validates JSON bodies only: a text body is checked as the string it is.
      OutputUnit out = contract.getSchemaRepository()
        .validator(documented.getContent().get(contentType).getSchema()).validate(body.toString());
      return out.getValid() ? Future.succeededFuture()
        : fail(where, Set.of(), "text body breaks its schema: " + out.getErrors() + "; body: " + shown(body));
    }
    return validator.validate(ValidatableResponse.create(status, Map.of(), body, contentType), op.getOperationId())
      .<Void>mapEmpty()
      .recover(e -> fail(where, locations(e), e.getMessage() + detail(e) + "; body: " + shown(body)));
  }

  private Future<Void> fail(String where, Set<String> locations, String message) {
    String at = locations.isEmpty() ? "" : " at " + String.join(", ", locations);
    return Future.failedFuture(new AssertionFailedError(
      "answer breaks openapi.yaml: " + where + at + ": " + message));
  }

  /** Where in the body each innermost schema error is, with array indexes as {@code *}. */
  private static Set<String> locations(Throwable e) {
    Set<String> out = new TreeSet<>();
    if (e instanceof SchemaValidationException s) {
      leaves(s.getOutputUnit(), out);
    }
    // An error inside an array item or property also shows at each enclosing level: keep the deepest.
    out.removeIf(at -> out.stream().anyMatch(other -> other.startsWith(at + "/")));
    return out;
  }

  private static void leaves(OutputUnit unit, Set<String> out) {
    if (unit.getErrors() == null || unit.getErrors().isEmpty()) {
      String at = unit.getInstanceLocation() == null ? "" : unit.getInstanceLocation();
      out.add(at.replaceFirst("^#", "").replaceAll("/[0-9]+(?=/|$)", "/*"));
      return;
    }
    unit.getErrors().forEach(inner -> leaves(inner, out));
  }

  private static String detail(Throwable e) {
    return e instanceof SchemaValidationException s ? " " + s.getOutputUnit().getErrors() : "";
  }

  private static Buffer bodyOf(Object body) {
    if (body == null) {
      return Buffer.buffer();
    }
    if (body instanceof Buffer b) {
      return b;
    }
    if (body instanceof JsonObject o) {
      return o.toBuffer();
    }
    if (body instanceof JsonArray a) {
      return a.toBuffer();
    }
    return Buffer.buffer(String.valueOf(body));
  }

  /** The body as text for a failure message, cut short; bytes that are no UTF-8 text are not shown. */
  private static String shown(Buffer body) {
    String text = body.toString(StandardCharsets.UTF_8);
    if (text.indexOf('\uFFFD') >= 0) {
      return "(" + body.length() + " bytes)";
    }
    return text.length() > 600 ? text.substring(0, 600) + "..." : text;
  }

  private static Object parse(Buffer body) {
    try {
      return Json.decodeValue(body);
    } catch (DecodeException e) {
      return body.toString();
    }
  }
}
