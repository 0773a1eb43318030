package org.eucalypt.db;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import org.eucalypt.config.DatabaseUrl;
import org.eucalypt.support.ServerExtension;
import org.eucalypt.support.TestServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reads sent down one pipelined connection in one turn of its event loop reach PostgreSQL in one
 * write, every one of them answered; without {@link BatchedFlushes}, each is a write of its own.
 * The writes are counted by a handler next to the socket, where Netty hands bytes to the kernel.
 */
@ExtendWith(ServerExtension.class)
class BatchedFlushesTest {
  private static final int READS = 50;

  private TestServer server;

  @BeforeEach
  void start(TestServer server) {
    this.server = server;
  }

  @Test
  void readsSentInOneTurnOfTheLoopGoOutInOneWrite() {
    assertEquals(1, writesFor(true));
  }

  @Test
  void withoutItEachReadIsAWriteOfItsOwn() {
    assertEquals(READS, writesFor(false));
  }

  /** How many writes READS reads, sent in one turn of the connection's event loop, took. */
  private int writesFor(boolean batched) {
    AtomicInteger writes = new AtomicInteger();
    SqlClient client = PgBuilder.client()
      .with(new PoolOptions().setMaxSize(1))
      .connectingTo(Database.connectOptions(DatabaseUrl.parse(server.app.settings().databaseUrl())))
      .withConnectHandler(conn -> {
        if (batched) {
          assertTrue(BatchedFlushes.install(conn));
        }
        ChannelPipeline pipeline = BatchedFlushes.pipeline(conn);
        assertNotNull(pipeline);
        pipeline.addFirst("count-writes", new ChannelOutboundHandlerAdapter() {
          @Override
          public void flush(ChannelHandlerContext ctx) {
            writes.incrementAndGet();
            ctx.flush();
          }
        });
        conn.close();
      })
      .using(server.vertx)
      .build();
    Context loop = server.vertx.getOrCreateContext();
    String sql = "SELECT $1::int AS n";
    // Opened from the loop, the connection belongs to it; the statement is prepared once, so
    // every read below is one Bind/Execute/Sync, sent as it comes.
    Promise<Void> ready = Promise.promise();
    loop.runOnContext(v -> client.preparedQuery(sql).execute(Tuple.of(0)).<Void>mapEmpty().onComplete(ready));
    ready.future().await();
    writes.set(0);

    Promise<List<Integer>> answers = Promise.promise();
    loop.runOnContext(v -> {
      List<Future<Integer>> each = new ArrayList<>();
      for (int i = 0; i < READS; i++) {
        each.add(client.preparedQuery(sql).execute(Tuple.of(i)).map(rows -> rows.iterator().next().getInteger("n")));
      }
      Future.all(each).map(all -> each.stream().map(Future::result).toList()).onComplete(answers);
    });
    assertEquals(IntStream.range(0, READS).boxed().toList(), answers.future().await());
    int sent = writes.get();
    client.close().await();
    return sent;
  }
}
