package org.eucalypt.storage;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Staging on the local disk: whenever an upload fails, its staged file is gone by the time the
 * failure is reported, because that report is what the client hears as "nothing was stored".
 */
class LocalBlobStoreTest {
  @TempDir
  Path dir;
  private Vertx vertx;
  private LocalBlobStore store;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    store = new LocalBlobStore(vertx, dir.toString());
    await(store.init());
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  /**
   * A client gone before the staging file is even open (the open runs on a worker thread): the
   * failure used to be reported at once, while the open went on to create the file and only then
   * removed it. Repeated because the two race.
   */
  @Test
  void aStreamFailingBeforeTheFileIsOpenLeavesNoStagedFile() throws Exception {
    for (int i = 0; i < 200; i++) {
      FailingStream content = new FailingStream();
      Promise<Throwable> failed = Promise.promise();
      vertx.runOnContext(v -> {
        store.stage(content, 1024).onComplete(ar -> failed.complete(ar.cause()));
        content.fail(new IOException("client left"));
      });
      Throwable cause = await(failed.future());
      assertEquals("client left", cause == null ? null : cause.getMessage(), "round " + i);
      assertEquals(List.of(), staged(), "round " + i + ": a staged file outlived the failure");
    }
  }

  /** A client gone halfway: the failure is reported once the partial file is removed. */
  @Test
  void aStreamFailingHalfwayLeavesNoStagedFile() throws Exception {
    FailingStream content = new FailingStream();
    Promise<Throwable> failed = Promise.promise();
    vertx.runOnContext(v -> store.stage(content, 1 << 30).onComplete(ar -> failed.complete(ar.cause())));
    // Once the staging file is open the store starts reading; then bytes arrive and the client leaves.
    await(content.reading.future());
    vertx.runOnContext(v -> {
      content.emit(Buffer.buffer(new byte[3 * 1024 * 1024]));
      content.fail(new IOException("client left"));
    });
    assertEquals("client left", await(failed.future()).getMessage());
    assertEquals(List.of(), staged());
  }

  private List<Path> staged() throws IOException {
    try (Stream<Path> files = Files.list(dir.resolve("staging"))) {
      return files.toList();
    }
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** A request body under the test's control: it hands over what it is told, then fails. */
  private static final class FailingStream implements ReadStream<Buffer> {
    final Promise<Void> reading = Promise.promise();
    private Handler<Buffer> handler;
    private Handler<Throwable> exceptionHandler;

    void emit(Buffer b) {
      handler.handle(b);
    }

    void fail(Throwable e) {
      if (exceptionHandler != null) {
        exceptionHandler.handle(e);
      }
    }

    @Override
    public ReadStream<Buffer> exceptionHandler(Handler<Throwable> h) {
      exceptionHandler = h;
      return this;
    }

    @Override
    public ReadStream<Buffer> handler(Handler<Buffer> h) {
      handler = h;
      reading.tryComplete();
      return this;
    }

    @Override
    public ReadStream<Buffer> pause() {
      return this;
    }

    @Override
    public ReadStream<Buffer> resume() {
      return this;
    }

    @Override
    public ReadStream<Buffer> fetch(long amount) {
      return this;
    }

    @Override
    public ReadStream<Buffer> endHandler(Handler<Void> h) {
      return this;
    }
  }
}
