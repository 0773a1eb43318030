package org.eucalypt.http;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.serviceproxy.ServiceProxyBuilder;
import org.eucalypt.bus.BusDoor;
import org.eucalypt.library.LibraryService;
import org.eucalypt.support.Clustered;
import org.eucalypt.support.TestServer;
import org.eucalypt.support.TestServer.User;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No funnel: lifecycle requests are served on several event loops at once, over HTTP (each HTTP
 * verticle calls its own service instances in-process, so the loop that logs a request's end is
 * the one that served it) and over the event bus (one service verticle per loop).
 */
class EveryEventLoopTest {
  private static final int LOOPS = 2;
  private Vertx vertx;
  private TestServer server;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    // A fixed port, as in production: instances listening on port 0 would each get a port of their own.
    server = TestServer.start(vertx, s -> s.with("http_instances", LOOPS).with("http_port", Clustered.freePort()));
  }

  @AfterEach
  void stop() {
    server.stop();
    vertx.close().await();
  }

  @Test
  void httpLifecycleRequestsAreServedOnMoreThanOneEventLoop() {
    User alice = server.newUser();
    String lib = server.createLibrary(alice, "Everywhere");
    Set<String> loops = ConcurrentHashMap.newKeySet();
    // The access log line is written on the event loop that served the request, as it ends.
    Logger access = (Logger) LoggerFactory.getLogger("eucalypt.access");
    AppenderBase<ILoggingEvent> threads = new AppenderBase<>() {
      @Override
      protected void append(ILoggingEvent e) {
        if (e.getFormattedMessage().contains("/api/libraries/" + lib + "/")) {
          loops.add(Thread.currentThread().getName());
        }
      }
    };
    threads.start();
    access.addAppender(threads);
    // A fresh connection each time: the server hands connections to its HTTP verticles in turn.
    WebClient fresh = WebClient.create(vertx, new WebClientOptions().setDefaultHost("localhost")
      .setDefaultPort(server.app.port()).setKeepAlive(false));
    try {
      for (int i = 0; i < 10; i++) {
        for (String op : List.of("trash", "restore")) {
          int status = fresh.post("/api/libraries/" + lib + "/" + op).bearerTokenAuthentication(alice.key())
            .send().await().statusCode();
          assertEquals(200, status, op);
        }
      }
    } finally {
      access.detachAppender(threads);
      fresh.close();
    }
    assertTrue(loops.size() >= 2 && loops.stream().allMatch(t -> t.startsWith("vert.x-eventloop-thread-")),
      "served on " + loops);
  }

  @Test
  void busLifecycleCallsAreServedOnMoreThanOneEventLoop() {
    User alice = server.newUser();
    String lib = server.createLibrary(alice, "On the bus");
    Set<String> loops = ConcurrentHashMap.newKeySet();
    // Inbound interceptors run where the message is handled: on the serving verticle's loop.
    vertx.eventBus().addInboundInterceptor(ctx -> {
      if (LibraryService.ADDRESS.equals(ctx.message().address())) {
        loops.add(Thread.currentThread().getName());
      }
      ctx.next();
    });
    LibraryService libraries = new ServiceProxyBuilder(vertx).setAddress(LibraryService.ADDRESS)
      .setOptions(new DeliveryOptions().addHeader(BusDoor.AUTHORIZATION, "Bearer " + alice.key()))
      .build(LibraryService.class);
    List<Future<?>> calls = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      calls.add(libraries.getLibrary(null, lib));
    }
    Future.all(calls).await();
    assertTrue(loops.size() >= 2 && loops.stream().allMatch(t -> t.startsWith("vert.x-eventloop-thread-")),
      "served on " + loops);
  }
}
