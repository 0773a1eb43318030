package org.eucalypt.db;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.impl.SocketConnectionBase;
import io.vertx.sqlclient.internal.Connection;
import io.vertx.sqlclient.internal.SqlConnectionInternal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One write to PostgreSQL per turn of an event loop, however many reads the turn sends down a
 * connection. The reads share pipelined connections ({@link Reads}): under load an event loop
 * takes a dozen requests in one turn, and pg-client flushes its socket after each statement, a
 * {@code send(2)} and a wake-up of the backend each. Netty's {@link FlushConsolidationHandler},
 * placed between pg-client's encoder and the socket, holds those flushes until the loop has
 * handled everything its turn brought (or {@link #MAX_HELD} statements are waiting) and writes
 * them in one {@code writev(2)}; the backend then reads them in one {@code recv(2)}. An idle
 * server loses nothing: a lone statement goes out at the end of the turn that sent it.
 *
 * <p>Measured on GET /api/libraries/{id} at 32 connections (2 cores, server CPU a request over
 * 15 s, three interleaved launches each): 28.5–31.2 µs without, 22.9–26.4 µs with; latency at 1
 * and 4 connections unchanged (wrk p50 123–136 µs either way). The transactions' pool gains
 * nothing from it (one statement in flight a connection) and does not use it.
 *
 * <p>pg-client has no option for this, so the handler goes into the connection's Netty pipeline
 * through pg-client's internal API ({@link SqlConnectionInternal#unwrap()}, then
 * {@link SocketConnectionBase#socket()}). Should an upgrade change those, reads go on unbatched
 * and a warning says so once; {@code BatchedFlushesTest} fails first.
 */
public final class BatchedFlushes {
  private static final Logger LOG = LoggerFactory.getLogger(BatchedFlushes.class);
  static final String HANDLER = "eucalypt-batched-flushes";
  /** Flush anyway once this many statements wait: pg-client's pipelining limit a connection. */
  private static final int MAX_HELD = 256;
  private static final AtomicBoolean WARNED = new AtomicBoolean();

  private BatchedFlushes() {
  }

  /**
   * A pool's connect handler: batches the new connection's flushes, then hands it to the pool.
   * Public for bench/lib/Floor.java, which measures a floor with it.
   */
  public static void onConnect(SqlConnection connection) {
    install(connection);
    connection.close();
  }

  /** Whether {@code connection}'s flushes are batched now. */
  static boolean install(SqlConnection connection) {
    ChannelPipeline pipeline = pipeline(connection);
    if (pipeline == null) {
      return false;
    }
    if (pipeline.get(HANDLER) == null) {
      // First in the pipeline is next to the socket: it sees the bytes pg-client's encoder wrote.
      pipeline.addFirst(HANDLER, new FlushConsolidationHandler(MAX_HELD, true));
    }
    return true;
  }

  /** The Netty pipeline under {@code connection}, or null (and a warning, once) if it cannot be reached. */
  static ChannelPipeline pipeline(SqlConnection connection) {
    Connection c = ((SqlConnectionInternal) connection).unwrap();
    while (c.unwrap() != c) {
      c = c.unwrap();  // a pooled connection wraps the socket's
    }
    if (c instanceof SocketConnectionBase socket) {
      return socket.socket().channelHandlerContext().pipeline();
    }
    if (WARNED.compareAndSet(false, true)) {
      LOG.warn("Cannot batch flushes to PostgreSQL on a {}: each read is sent on its own", c.getClass().getName());
    }
    return null;
  }
}
