package org.eucalypt.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.openapi.validation.ValidatorException;
import org.eucalypt.bus.DatabaseFailures;
import org.eucalypt.bus.DomainException;
import org.eucalypt.storage.StorageFailures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every error eucalypt answers, in FastAPI's shape: {@code {"detail": "..."}}, or for request
 * validation 422 with {@code {"detail": [{"loc", "msg", "type", "input"}]}}.
 */
public final class Problems {
  private static final Logger LOG = LoggerFactory.getLogger(Problems.class);

  private Problems() {
  }

  public static void send(RoutingContext ctx, int status, String detail) {
    send(ctx, status, new JsonObject().put("detail", detail));
  }

  public static void send(RoutingContext ctx, int status, JsonObject body) {
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    // Retrying a conflict or a full store cannot help, unless the conflict was a lost race
    // (handleFailure says so first); the official SDKs would retry 409 and 5xx on their own.
    if ((status == 409 || status == 507) && !ctx.response().headers().contains("x-should-retry")) {
      ctx.response().putHeader("x-should-retry", "false");
    }
    // The database or the storage is away: say when to come back rather than leave clients guessing.
    if (status == 503 || status == 502) {
      ctx.response().putHeader("retry-after", "5");
    }
    ctx.response()
      .setStatusCode(status)
      .putHeader("content-type", "application/json")
      .end(body.encode());
  }

  /** The HTTP status of each domain failure; the domain itself knows no statuses. */
  static int status(DomainException.Kind kind) {
    return switch (kind) {
      case NOT_FOUND -> 404;
      case CONFLICT -> 409;
      case BAD_REQUEST -> 400;
      case STORAGE_FULL -> 507;
      case UNAUTHENTICATED -> 401;
      case FORBIDDEN -> 403;
      case UNAVAILABLE -> 503;
      case INVALID -> 422;
    };
  }

  /** One request-validation error, as pydantic reports it. */
  public static JsonObject invalid(JsonArray loc, String msg, String type, Object input) {
    JsonObject e = new JsonObject().put("loc", loc).put("msg", msg).put("type", type);
    e.put("input", input);
    return e;
  }

  public static void unprocessable(RoutingContext ctx, JsonObject... errors) {
    send(ctx, 422, new JsonObject().put("detail", new JsonArray(java.util.List.of((Object[]) errors))));
  }

  /** The router's failure handler: whatever went wrong, the client gets FastAPI's shape. */
  public static void handleFailure(RoutingContext ctx) {
    QueryDecoding.restore(ctx);
    Throwable failure = ctx.failure();
    if (failure instanceof HttpException he && he.getCause() instanceof ValidatorException ve) {
      unprocessable(ctx, ValidationErrors.from(ctx, ve));
      return;
    }
    if (MalformedRequests.isMalformedMultipart(failure)) {
      // A wrong boundary, a field over the form-attribute limit, a truncated part: the body's fault.
      send(ctx, 400, "Malformed multipart body: " + failure.getMessage());
      return;
    }
    int storage = StorageFailures.status(failure);
    if (storage > 0) {
      LOG.warn("{} {}: storage failed: {}", ctx.request().method(), ctx.request().path(), failure.toString());
      send(ctx, storage, StorageFailures.detail(storage));
      return;
    }
    if (failure instanceof Replies.InvalidParameter invalid) {
      unprocessable(ctx, invalid.error);
      return;
    }
    Throwable translated = DatabaseFailures.inDomainTerms(failure);
    if (translated != failure) {
      LOG.warn("{} {}: {}: {}", ctx.request().method(), ctx.request().path(), translated.getMessage(), failure.toString());
      failure = translated;
    }
    DomainException.Kind kind = DomainException.kindOf(failure);
    if (kind != null) {
      if (kind == DomainException.Kind.INVALID) {
        // A value the service found not to fit: FastAPI's validation shape, located at the body.
        unprocessable(ctx, invalid(new JsonArray().add("body"), failure.getMessage(), "value_error", null));
        return;
      }
      if (kind == DomainException.Kind.UNAUTHENTICATED) {
        ctx.response().putHeader("WWW-Authenticate", "Bearer");
      }
      if (failure instanceof DomainException d && d.retryable()) {
        ctx.response().putHeader("x-should-retry", "true");  // nothing was done: the same request may go through
      }
      send(ctx, status(kind), failure.getMessage());
      return;
    }
    int status = failure instanceof HttpException he ? he.getStatusCode() : ctx.statusCode();
    switch (status) {
      case 401 -> send(ctx, 401, "Not authenticated");
      case 404 -> send(ctx, 404, "Not Found");
      case 405 -> send(ctx, 405, "Method Not Allowed");
      case 413 -> send(ctx, 413, "Request body too large");
      case 400 -> send(ctx, 400, "Bad request");
      default -> {
        if (status > 0 && status < 500) {
          send(ctx, status, failure != null && failure.getMessage() != null ? failure.getMessage() : "Request failed");
        } else {
          LOG.error("{} {} failed", ctx.request().method(), ctx.request().path(), failure);
          send(ctx, 500, "Internal Server Error");
        }
      }
    }
  }
}
