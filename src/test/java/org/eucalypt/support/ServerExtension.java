package org.eucalypt.support;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Gives a test a {@link TestServer} parameter: a whole eucalypt on a Vert.x of its own, a fresh
 * database and storage directory, stopped and dropped (and its Vert.x closed) when done.
 *
 * <p>Asked for in a {@code @BeforeAll} method, it is one server for the whole class, stopped after
 * the class's last test; asked for in a {@code @BeforeEach} or test method, it is a server of that
 * test's own, stopped after it. A test method of a class that already has one gets that one.
 */
public final class ServerExtension implements ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ServerExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == TestServer.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    // The store looks in the class's store too, so a test method finds the class's server.
    return context.getStore(NAMESPACE).getOrComputeIfAbsent(Running.class, k -> Running.start(), Running.class).server;
  }

  /** Closed by JUnit with the store it is kept in: after the test, or after the class. */
  private record Running(TestServer server) implements AutoCloseable {
    static Running start() {
      Vertx vertx = Vertx.vertx();
      try {
        return new Running(TestServer.start(vertx));
      } catch (RuntimeException e) {
        vertx.close();
        throw e;
      }
    }

    @Override
    public void close() throws TimeoutException {
      try {
        server.stop();
      } finally {
        server.vertx.close().await(30, TimeUnit.SECONDS);
      }
    }
  }
}
