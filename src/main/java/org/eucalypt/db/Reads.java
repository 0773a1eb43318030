package org.eucalypt.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.SqlClient;

import java.util.function.Function;

/**
 * How the services read: on PostgreSQL's pipelined client, so many statements share each
 * connection in flight instead of queuing for a connection of their own (bench/lib/Floor.java
 * measures pooled against pipelined). It cannot run transactions: every change goes through
 * {@link Database#pool}.
 *
 * <p>A read that failed only because its connection broke under it (a backend terminated by a
 * failover or an operator, a connection reset) runs once more, on a connection opened for it:
 * the client gets its answer instead of a 503. The pipelined client may not have noticed the
 * loss yet when the failure arrives, so the second attempt does not go through it. A read changes
 * nothing, so running it twice is safe; writes are never retried this way.
 */
public final class Reads {
  private final Vertx vertx;
  private final SqlClient client;
  private final PgConnectOptions options;

  Reads(Vertx vertx, SqlClient client, PgConnectOptions options) {
    this.vertx = vertx;
    this.client = client;
    this.options = options;
  }

  /** Runs {@code statement} on the pipelined client, and once more on a fresh connection if that one broke. */
  public <T> Future<T> run(Function<SqlClient, Future<T>> statement) {
    return statement.apply(client).recover(e -> Database.brokenConnection(e)
      ? PgConnection.connect(vertx, options).compose(fresh -> statement.apply(fresh).eventually(fresh::close))
      : Future.failedFuture(e));
  }
}
