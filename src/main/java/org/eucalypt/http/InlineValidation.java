package org.eucalypt.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.internal.VertxWrapper;

import java.util.concurrent.Callable;

/**
 * The Vert.x handed to the OpenAPI router builder: the same Vert.x, except that blocking tasks
 * run at once on the calling thread.
 *
 * <p>Why: vertx-openapi 5.0's request validator runs every request's validation through
 * {@code executeBlocking}, ordered on the event loop's context, so each request took a hop to a
 * worker thread and back, and the requests of one event loop queued behind each other on it.
 * With one validator per schema (see {@link CachedValidators}) a validation is a few microseconds
 * of CPU that never blocks, so it runs inline. Measured with bench/run.sh: see bench/RESULTS.md.
 * Only the router builder and the validator it makes see this Vert.x; nothing else blocking is
 * given to it.
 */
final class InlineValidation extends VertxWrapper {

  private InlineValidation(VertxInternal delegate) {
    super(delegate);
  }

  static Vertx of(Vertx vertx) {
    return new InlineValidation((VertxInternal) vertx);
  }

  @Override
  public <T> Future<T> executeBlocking(Callable<T> task) {
    return run(task);
  }

  @Override
  public <T> Future<T> executeBlocking(Callable<T> task, boolean ordered) {
    return run(task);
  }

  private static <T> Future<T> run(Callable<T> task) {
    try {
      return Future.succeededFuture(task.call());
    } catch (Throwable e) {
      return Future.failedFuture(e);
    }
  }
}
