package org.eucalypt.http;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Path;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.openapi.validation.ValidatableRequest;
import io.vertx.openapi.validation.ValidatedRequest;
import io.vertx.openapi.validation.ValidatorException;
import org.eucalypt.ops.RequestLog;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Serves each operation of {@code openapi.yaml} with the handler of the same name. {@link RouteGuard}
 * has found the operation already, by the contract's own path lookup; here the request is
 * validated against it by vertx-openapi's {@link RequestValidator} (what it cannot accept answers
 * FastAPI's 422, see {@link Problems}; plain string parameters are taken as sent, see
 * {@link StringParameters}), and the handler reads the validated parameters with {@link Replies}.
 * An operation that takes nothing but string path segments has nothing to validate: they are
 * read straight from the path ({@link PathSegments}).
 *
 * <p>vertx-web-openapi-router's RouterBuilder did the same by mounting one vertx-web route per
 * operation, after RouteGuard had already looked the operation up: each request then tried the
 * routes' path expressions one after another (with a regular expression per path template) and
 * went through two more handlers and futures. Without them GET /api/libraries/{id} took 1 to 2 µs
 * less CPU of its 40 (bench/get-ab.sh, medians of three runs each). Its request extractor is still
 * the one used, and its key for the validated request.
 */
final class Operations {
  /** Where the request as it came (before validation) waits, for the 422's {@code input}. */
  private static final String RAW = "eucalypt.raw_request";
  private static final String VALIDATED = io.vertx.ext.web.openapi.router.RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST;

  private final OpenAPIContract contract;
  private final RequestValidator validator;
  private final RequestExtractor extractor = RequestExtractor.withBodyHandler();
  private final Map<String, Handler<RoutingContext>> handlers;
  private final Set<String> unvalidated;
  /** Each operation's path in vertx-web's form ({@code /api/libraries/:library_id}), for logs and metrics. */
  private final Map<String, String> templates = new HashMap<>();
  /** The operations that take only string path segments, read without the validator ({@link PathSegments}). */
  private final Map<String, PathSegments> segmentsOnly = new HashMap<>();

  /**
   * @param handlers a handler for every operationId of the contract
   * @param unvalidated operations whose handler validates the request itself (an upload's streamed body)
   */
  Operations(Vertx vertx, OpenAPIContract contract, Map<String, Handler<RoutingContext>> handlers, Set<String> unvalidated) {
    this.contract = contract;
    this.validator = new StringParameters(InlineValidation.of(vertx), new CachedValidators(contract));
    this.handlers = handlers;
    this.unvalidated = unvalidated;
    for (Path path : contract.getPaths()) {
      for (Operation op : path.getOperations()) {
        if (!handlers.containsKey(op.getOperationId())) {
          throw new IllegalStateException("openapi.yaml names " + op.getOperationId() + " but no handler serves it");
        }
        templates.put(op.getOperationId(), path.getName().replaceAll("\\{([^}/]+)}", ":$1"));
        PathSegments segments = PathSegments.of(path.getName(), op);
        if (segments != null) {
          segmentsOnly.put(op.getOperationId(), segments);
        }
      }
    }
  }

  /** The last handler before vertx-web's own routes, which serve what is not an operation. */
  void handle(RoutingContext ctx) {
    String operationId = ctx.get(RouteGuard.OPERATION);
    if (operationId == null) {
      ctx.next();
      return;
    }
    ctx.put(RequestLog.ROUTE, templates.get(operationId));
    Handler<RoutingContext> handler = handlers.get(operationId);
    if (unvalidated.contains(operationId)) {
      serve(ctx, handler);
      return;
    }
    PathSegments segments = segmentsOnly.get(operationId);
    if (segments != null) {
      ctx.put(VALIDATED, segments.read(ctx.request()));
      serve(ctx, handler);
      return;
    }
    extractor.extractValidatableRequest(ctx, contract.operation(operationId))
      .compose(request -> {
        ctx.put(RAW, request);
        return validator.validate(request, operationId);
      })
      .onComplete(validated -> {
        if (validated.succeeded()) {
          ctx.put(VALIDATED, validated.result());
          serve(ctx, handler);
        } else if (validated.cause() instanceof ValidatorException e) {
          ctx.fail(new HttpException(400, e.getMessage(), e));
        } else {
          ctx.fail(validated.cause());
        }
      });
  }

  /** What a handler throws (an unreadable parameter, a domain failure) is the request's failure. */
  private static void serve(RoutingContext ctx, Handler<RoutingContext> handler) {
    try {
      QueryDecoding.restore(ctx);
      handler.handle(ctx);
    } catch (RuntimeException e) {
      ctx.fail(e);
    }
  }

  static ValidatedRequest validated(RoutingContext ctx) {
    return ctx.get(VALIDATED);
  }

  /** A path parameter as the request gave it, or null. */
  static Object rawPathParameter(RoutingContext ctx, String name) {
    ValidatableRequest request = ctx.get(RAW);
    RequestParameter p = request == null ? null : request.getPathParameters().get(name);
    return p == null || p.isNull() ? null : p.get();
  }
}
