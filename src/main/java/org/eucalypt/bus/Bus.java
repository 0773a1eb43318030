package org.eucalypt.bus;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.ConnectException;
import java.util.function.Function;

/** Serving an event-bus address with a function that answers a JSON request with a future. */
public final class Bus {
  private static final Logger LOG = LoggerFactory.getLogger(Bus.class);

  /**
   * Replies travel as JSON; a generous timeout, since a restore may wait for a drain batch.
   * Local only: in a cluster every instance serves every address itself, so a request is answered
   * where it was made, and no request, nor the staged upload path it may name, crosses to another
   * machine.
   */
  public static final DeliveryOptions REQUEST = new DeliveryOptions().setSendTimeout(30_000).setLocalOnly(true);

  /** For publishing to this instance's own consumers only. */
  public static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  private Bus() {
  }

  public static Future<Void> serve(Vertx vertx, String address, Function<JsonObject, Future<?>> operation) {
    // A local consumer: in a cluster, requests from other members never land here (see REQUEST).
    MessageConsumer<JsonObject> consumer = vertx.eventBus().localConsumer(address, msg -> {
      Future<?> answer;
      try {
        answer = operation.apply(msg.body());
      } catch (RuntimeException e) {
        answer = Future.failedFuture(e);
      }
      answer.onComplete(ar -> {
        if (ar.succeeded()) {
          Object reply = ar.result();
          DeliveryOptions options = SharedJson.optionsFor(reply);
          if (options == null) {
            msg.reply(reply);
          } else {
            msg.reply(reply, options);
          }
        } else {
          ReplyException f = toFailure(address, ar.cause());
          msg.fail(f.failureCode(), f.getMessage());
        }
      });
    });
    return consumer.completion();
  }

  /**
   * The pool gave up waiting for a connection (db.Database's acquire timeout): the database is
   * unreachable or every connection is busy. The pool says so only in the message of a plain
   * VertxException.
   */
  private static boolean noFreeConnection(Throwable e) {
    return e instanceof io.vertx.core.VertxException && "Timeout waiting for connection".equals(e.getMessage());
  }

  public static ReplyException toFailure(String address, Throwable e) {
    if (e instanceof ReplyException re && re.failureCode() >= 400) {
      return re;
    }
    if (e instanceof ConnectException || e instanceof ClosedConnectionException
      || (e instanceof PgException pe && pe.getSqlState() != null && pe.getSqlState().startsWith("08"))
      || noFreeConnection(e)) {
      LOG.warn("{}: database unavailable: {}", address, e.toString());
      return Failure.of(503, "Service unavailable: the database cannot be reached");
    }
    int storage = org.eucalypt.storage.StorageFailures.status(e);
    if (storage > 0) {
      LOG.warn("{}: storage failed: {}", address, e.toString());
      return Failure.of(storage, org.eucalypt.storage.StorageFailures.detail(storage));
    }
    LOG.error("{} failed", address, e);
    return Failure.of(500, "Internal Server Error");
  }
}
