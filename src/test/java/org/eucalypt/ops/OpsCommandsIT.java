package org.eucalypt.ops;

import io.vertx.core.json.JsonObject;
import org.eucalypt.support.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged jar's operator side, run as an operator would: --help, migrate, status,
 * drain --once, and a server with JSON logs answering /health, /metrics and /docs.
 */
class OpsCommandsIT {
  private static final Path JAR = Path.of("target", "eucalypt.jar");
  private TestDatabase database;
  private Path storage;

  @BeforeEach
  void fresh() throws IOException {
    database = TestDatabase.fresh();
    storage = Files.createTempDirectory("eucalypt-it-");
  }

  @AfterEach
  void drop() {
    database.drop();
  }

  @Test
  void helpListsTheCommandsAndEverySetting() throws Exception {
    Result help = run(Map.of(), "--help");
    assertEquals(0, help.exit(), help.stderr());
    for (String expected : List.of("serve", "create-user --email EMAIL", "migrate", "drain --once", "status [--json]",
      "EUCALYPT_HTTP_PORT", "EUCALYPT_DATABASE_URL", "EUCALYPT_DRAIN_INTERVAL", "EUCALYPT_LOG_FORMAT", "PT10S")) {
      assertTrue(help.stdout().contains(expected), "--help lacks " + expected + ":\n" + help.stdout());
    }
    Result bad = run(Map.of("EUCALYPT_LOG_FORMAT", "xml"), "status");
    assertEquals(2, bad.exit());
    assertTrue(bad.stderr().contains("EUCALYPT_LOG_FORMAT"), bad.stderr());
    assertEquals(2, run(Map.of(), "drain").exit(), "drain without --once");
  }

  @Test
  void migrateThenStatusOnANewDatabase() throws Exception {
    Result before = run(Map.of(), "status");
    assertEquals(1, before.exit());
    assertTrue(before.stderr().contains("status failed") && before.stderr().contains("does not exist"), before.stderr());

    Result migrate = run(Map.of(), "migrate");
    assertEquals(0, migrate.exit(), migrate.stderr());
    assertTrue(migrate.stdout().contains("migrated: schema version " + Migrations.latest()), migrate.stdout());
    assertEquals(0, run(Map.of(), "migrate").exit(), "migrate twice");

    Result status = run(Map.of(), "status");
    assertEquals(0, status.exit(), status.stderr());
    assertTrue(status.stdout().startsWith("0 trashed libraries awaiting purge"), status.stdout());
    Result drain = run(Map.of(), "drain", "--once");
    assertEquals(0, drain.exit(), drain.stderr());
    assertEquals(0, new JsonObject(drain.stdout().trim()).getInteger("assets_purged"));
  }

  @Test
  void aServerWithJsonLogsThenStatusAndDrainOnce() throws Exception {
    Result created = run(Map.of(), "create-user", "--email", "ops@example.org");
    assertEquals(0, created.exit(), created.stderr());
    String key = new JsonObject(created.stdout().trim()).getString("api_key");

    List<String> output = new CopyOnWriteArrayList<>();
    // The server's own drain waits an hour: drain --once does the work here.
    Process server = process(Map.of("EUCALYPT_HTTP_PORT", "0", "EUCALYPT_LOG_FORMAT", "json",
      "EUCALYPT_DRAIN_INTERVAL", "PT1H")).redirectErrorStream(true).start();
    try {
      int port = awaitListening(server, output);
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      String base = "http://localhost:" + port;

      HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(base + "/health/ready"))
        .header("X-Request-Id", "it-ready-1").build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, ready.statusCode(), ready.body());
      assertEquals("it-ready-1", ready.headers().firstValue("X-Request-Id").orElse(null));
      assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(base + "/health/live")).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode());
      assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(base + "/docs")).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode());

      String lib = new JsonObject(http.send(HttpRequest.newBuilder(URI.create(base + "/api/libraries"))
        .header("Authorization", "Bearer " + key).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"Trip\"}")).build(),
        HttpResponse.BodyHandlers.ofString()).body()).getString("id");
      for (String step : List.of("/trash", "")) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/api/libraries/" + lib + step))
          .header("Authorization", "Bearer " + key);
        HttpResponse<String> r = http.send(step.isEmpty() ? b.DELETE().build()
          : b.POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), step + ": " + r.body());
      }

      HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
      assertEquals(200, metrics.statusCode());
      assertEquals(1.0, OpsTesting.sample(metrics.body(), "vertx_http_server_requests_total",
        "code=\"200\",method=\"POST\",route=\"/api/libraries/:library_id/trash\""), metrics.body());
      assertTrue(metrics.body().contains("eucalypt_drain_last_tick_timestamp_seconds"));

      // One JSON object per log line, the request's id among its fields.
      await().atMost(Duration.ofSeconds(10)).until(() -> accessLine(output, "it-ready-1").isPresent());
      JsonObject line = accessLine(output, "it-ready-1").orElseThrow();
      assertEquals("/health/ready", line.getString("path"));
      assertEquals(200, line.getInteger("status"));
      assertEquals("eucalypt.access", line.getString("logger_name"));

      JsonObject status = new JsonObject(run(Map.of(), "status", "--json").stdout().trim());
      assertEquals(1, status.getInteger("libraries_due"));
      assertEquals(lib, status.getJsonArray("libraries").getJsonObject(0).getString("id"));

      Result drain = run(Map.of(), "drain", "--once");
      assertEquals(0, drain.exit(), drain.stderr());
      JsonObject pass = new JsonObject(drain.stdout().trim());
      assertEquals(1, pass.getInteger("libraries_removed"), pass.encode());
      assertTrue(drain.stderr().contains("purged and removed"), drain.stderr());
      assertEquals(404, http.send(HttpRequest.newBuilder(URI.create(base + "/api/libraries/" + lib))
        .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
      assertTrue(run(Map.of(), "status").stdout().startsWith("0 trashed libraries awaiting purge"));
    } finally {
      server.destroy();
      assertTrue(server.waitFor(30, TimeUnit.SECONDS));
    }
  }

  private static Optional<JsonObject> accessLine(List<String> output, String requestId) {
    for (String l : output) {
      if (l.startsWith("{") && l.contains(requestId)) {
        JsonObject json = new JsonObject(l);
        if (requestId.equals(json.getString("request_id"))) {
          return Optional.of(json);
        }
      }
    }
    return Optional.empty();
  }

  private record Result(int exit, String stdout, String stderr) {
  }

  private Result run(Map<String, String> env, String... args) throws Exception {
    Path err = Files.createTempFile("eucalypt-it-", ".err");
    Process p = process(env, args).redirectError(err.toFile()).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the command did not finish");
    String stderr = Files.readString(err);
    Files.delete(err);
    return new Result(p.exitValue(), out, stderr);
  }

  private ProcessBuilder process(Map<String, String> env, String... args) {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-jar", JAR.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().remove("EUCALYPT_LOG_FORMAT");
    pb.environment().put("EUCALYPT_DATABASE_URL", database.url());
    pb.environment().put("EUCALYPT_STORAGE_DIR", storage.toString());
    pb.environment().putAll(env);
    return pb;
  }

  /** Collects the server's output lines as they come; answers the port once it listens. */
  private static int awaitListening(Process server, List<String> output) throws IOException {
    Pattern listening = Pattern.compile("eucalypt listening on port (\\d+)");
    BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
    for (String line = out.readLine(); line != null; line = out.readLine()) {
      output.add(line);
      Matcher m = listening.matcher(line);
      if (m.find()) {
        Thread rest = new Thread(() -> {
          try {
            for (String l = out.readLine(); l != null; l = out.readLine()) {
              output.add(l);
            }
          } catch (IOException ignored) {
            // the process ended
          }
        });
        rest.setDaemon(true);
        rest.start();
        return Integer.parseInt(m.group(1));
      }
    }
    throw new AssertionError("the server exited before listening:\n" + String.join("\n", output));
  }
}
