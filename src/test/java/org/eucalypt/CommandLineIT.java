package org.eucalypt;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eucalypt.support.ServerOutput;
import org.eucalypt.support.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged jar, run as an operator would: {@code create-user}, the server itself on a
 * database that does not exist yet, and a start refused over a bad setting.
 */
class CommandLineIT {
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
  void createUserPrintsExactlyOneJsonLineAndTheServerAcceptsItsKey() throws Exception {
    Result created = run(Map.of(), "create-user", "--email", "owner@example.org");
    assertEquals(0, created.exit(), created.stderr());
    assertEquals(1, created.stdout().size(), "stdout: " + created.stdout());
    JsonObject line = new JsonObject(created.stdout().get(0));
    assertEquals(2, line.size());
    assertTrue(line.getString("user_id").startsWith("intuser_"));
    String key = line.getString("api_key");

    Result duplicate = run(Map.of(), "create-user", "--email", "owner@example.org");
    assertNotEquals(0, duplicate.exit());
    assertTrue(duplicate.stderr().contains("already exists"), duplicate.stderr());

    Process server = start(Map.of("EUCALYPT_HTTP_PORT", "0"));
    try {
      int port = ServerOutput.awaitListening(server);
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> ping = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port
        + "/api/server/ping")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals("pong", ping.body());
      HttpResponse<String> libraries = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port
        + "/api/libraries")).header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, libraries.statusCode());
      assertEquals(new JsonArray(), new JsonArray(libraries.body()));
    } finally {
      server.destroy();
      assertTrue(server.waitFor(30, TimeUnit.SECONDS));
    }
  }

  @Test
  void aBadSettingStopsTheStartWithAMessageNamingTheVariable() throws Exception {
    Result r = run(Map.of("EUCALYPT_DRAIN_BATCH_SIZE", "lots"));
    assertNotEquals(0, r.exit());
    assertTrue(r.stderr().contains("EUCALYPT_DRAIN_BATCH_SIZE"), r.stderr());
  }

  @Test
  void createUserRefusesABadEmailAndHelpListsTheCommands() throws Exception {
    Result bad = run(Map.of(), "create-user", "--email", "not-an-email");
    assertEquals(2, bad.exit());
    Result help = run(Map.of(), "help");
    assertEquals(0, help.exit());
    assertTrue(String.join("\n", help.stdout()).contains("create-user --email EMAIL"));
  }

  private record Result(int exit, List<String> stdout, String stderr) {
  }

  private Result run(Map<String, String> env, String... args) throws Exception {
    Process p = process(env, args).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the command did not finish");
    List<String> lines = out.isEmpty() ? List.of() : List.of(out.split("\n"));
    // Log lines go to stdout too in server mode; create-user must print nothing else.
    return new Result(p.exitValue(), lines, err);
  }

  private Process start(Map<String, String> env) throws IOException {
    return process(env).redirectErrorStream(true).start();
  }

  private ProcessBuilder process(Map<String, String> env, String... args) {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-jar", JAR.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("EUCALYPT_DATABASE_URL", database.url());
    pb.environment().put("EUCALYPT_STORAGE_DIR", storage.toString());
    pb.environment().putAll(env);
    return pb;
  }
}
