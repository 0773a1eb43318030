package org.eucalypt.ops;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import net.logstash.logback.encoder.LogstashEncoder;
import org.eucalypt.drain.Drain;
import org.eucalypt.support.TestServer;
import org.eucalypt.support.TestServer.User;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The request id (echoed or made, and returned), one access-log line per request, the same line
 * as JSON through the encoder EUCALYPT_LOG_FORMAT=json selects, and the drain's per-library lines.
 */
@ExtendWith(VertxExtension.class)
class LogsTest {
  private TestServer server;
  private final ListAppender<ILoggingEvent> access = new ListAppender<>();
  private final ListAppender<ILoggingEvent> drain = new ListAppender<>();

  @BeforeEach
  void start(Vertx vertx) {
    attach("eucalypt.access", access);
    attach(Drain.class.getName(), drain);
    server = TestServer.start(vertx);
  }

  @AfterEach
  void stop() {
    server.stop();
    logger("eucalypt.access").detachAppender(access);
    logger(Drain.class.getName()).detachAppender(drain);
  }

  @Test
  void aRequestIdIsEchoedOrMadeAndEveryRequestLogsOneLine() {
    User alice = server.newUser();
    HttpResponse<Buffer> echoed = server.client.get("/api/libraries").bearerTokenAuthentication(alice.key())
      .putHeader("X-Request-Id", "req-from-the-proxy.42").send().await();
    assertEquals(200, echoed.statusCode());
    assertEquals("req-from-the-proxy.42", echoed.getHeader("X-Request-Id"));

    HttpResponse<Buffer> made = server.get("/api/libraries/lib_2JZwZxWFHHBLGqfLByDAq3", alice.key());
    assertEquals(404, made.statusCode());
    String id = made.getHeader("X-Request-Id");
    assertTrue(id.matches("[0-9a-z]{20}"), id);

    // Not sane (a line break could forge log lines): replaced by a new one.
    HttpResponse<Buffer> replaced = server.client.get("/health/live")
      .putHeader("X-Request-Id", "x".repeat(200)).send().await();
    assertNotEquals("x".repeat(200), replaced.getHeader("X-Request-Id"));

    ILoggingEvent first = awaitLine("req-from-the-proxy.42");
    Map<String, Object> kv = fields(first);
    assertEquals("GET", kv.get("method"));
    assertEquals("/api/libraries", kv.get("path"));
    assertEquals(200, kv.get("status"));
    assertTrue(first.getFormattedMessage().startsWith("GET /api/libraries 200 "), first.getFormattedMessage());

    Map<String, Object> second = fields(awaitLine(id));
    assertEquals(404, second.get("status"));
    assertEquals("/api/libraries/:library_id", second.get("route"));
    assertEquals(1, access.list.stream().filter(e -> id.equals(fields(e).get("request_id"))).count(),
      "one line per request");
  }

  @Test
  void inJsonTheLineCarriesItsFieldsAndTheQueryStringIsNeverLogged() {
    server.client.get("/api/server/ping?secret=hush").putHeader("X-Request-Id", "json-1").send().await();
    ILoggingEvent line = awaitLine("json-1");
    // The encoder logback.xml uses when EUCALYPT_LOG_FORMAT=json.
    LogstashEncoder encoder = new LogstashEncoder();
    encoder.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
    encoder.start();
    String text = new String(encoder.encode(line), StandardCharsets.UTF_8);
    encoder.stop();
    assertTrue(text.endsWith("\n") && text.indexOf('\n') == text.length() - 1, "one line: " + text);
    JsonObject json = new JsonObject(text);
    assertEquals("json-1", json.getString("request_id"));
    assertEquals("eucalypt.access", json.getString("logger_name"));
    assertEquals("INFO", json.getString("level"));
    assertEquals("/api/server/ping", json.getString("path"));
    assertEquals("/api/server/ping", json.getString("route"));
    assertEquals(200, json.getInteger("status"));
    assertTrue(json.getDouble("duration_ms") >= 0);
    assertTrue(json.containsKey("@timestamp"));
    assertTrue(!text.contains("hush"), text);
  }

  @Test
  void theDrainLogsEachLibrarysStartAndFinishWithCounts() {
    User alice = server.newUser();
    String lib = server.createLibrary(alice, "Old photos");
    for (int i = 0; i < 5; i++) {
      server.uploadRandom(alice, lib);
    }
    assertEquals(200, server.post("/api/libraries/" + lib + "/trash", alice.key(), null).statusCode());
    assertEquals(200, server.call(io.vertx.core.http.HttpMethod.DELETE, "/api/libraries/" + lib, alice.key(), null)
      .statusCode());
    Drain d = server.drain(2);
    while (!d.runBatch().await().idle()) {
      // batches of two: three of them
    }
    List<ILoggingEvent> lines = drain.list.stream().filter(e -> lib.equals(fields(e).get("library_id")))
      .collect(Collectors.toList());
    assertEquals(2, lines.size(), lines.toString());
    Map<String, Object> started = fields(lines.get(0));
    assertEquals("library_purge_started", started.get("event"));
    assertEquals(5L, started.get("assets_left"));
    assertTrue(lines.get(0).getFormattedMessage().contains("5 assets"), lines.get(0).getFormattedMessage());
    Map<String, Object> finished = fields(lines.get(1));
    assertEquals("library_purge_finished", finished.get("event"));
    assertEquals(5L, finished.get("assets_purged"));
    assertEquals(3, finished.get("batches"));
    assertTrue(lines.get(1).getFormattedMessage().contains("5 assets in 3 batches"), lines.get(1).getFormattedMessage());
  }

  private ILoggingEvent awaitLine(String requestId) {
    await().atMost(Duration.ofSeconds(10)).until(() -> find(requestId).isPresent());
    return find(requestId).orElseThrow();
  }

  private Optional<ILoggingEvent> find(String requestId) {
    synchronized (access) {
      return List.copyOf(access.list).stream().filter(e -> requestId.equals(fields(e).get("request_id"))).findFirst();
    }
  }

  private static Map<String, Object> fields(ILoggingEvent e) {
    List<KeyValuePair> pairs = e.getKeyValuePairs();
    return pairs == null ? Map.of() : pairs.stream().filter(p -> p.value != null)
      .collect(Collectors.toMap(p -> p.key, p -> p.value, (a, b) -> b));
  }

  private static Logger logger(String name) {
    return (Logger) LoggerFactory.getLogger(name);
  }

  private static void attach(String name, ListAppender<ILoggingEvent> appender) {
    appender.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
    appender.start();
    logger(name).addAppender(appender);
  }
}
