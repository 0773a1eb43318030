package org.eucalypt;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.multipart.MultipartForm;
import org.eucalypt.config.DatabaseUrl;
import org.eucalypt.support.BridgeFrames;
import org.eucalypt.support.Clustered;
import org.eucalypt.support.ServerOutput;
import org.eucalypt.support.TestDatabase;
import org.eucalypt.support.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two {@code java -jar target/eucalypt.jar} processes set up as the README's "Running several
 * instances" says: one database, one storage directory, a two-member cluster. Work sent to one is
 * heard on the other's TCP bridge; expedited libraries are purged exactly once, by both drains
 * together, and by the survivor alone once the other is killed.
 */
class ScaleOutIT {
  private static final Path JAR = Path.of("target", "eucalypt.jar");
  private static final int LIBRARIES = 3;
  private static final int ASSETS_EACH = 20;

  private TestDatabase database;
  private Path storage;
  private final List<Process> processes = new ArrayList<>();
  private Vertx vertx;
  private WebClient http;

  @BeforeEach
  void fresh() throws IOException {
    database = TestDatabase.fresh();
    storage = Files.createTempDirectory("eucalypt-scaleout-");
    vertx = Vertx.vertx();
    http = WebClient.create(vertx);
  }

  @AfterEach
  void stop() throws Exception {
    for (Process p : processes) {
      p.destroy();
    }
    for (Process p : processes) {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
    http.close();
    vertx.close().await();
    database.drop();
  }

  @Test
  void twoProcessesActAsOneService() throws Exception {
    int clusterA = Clustered.freePort();
    int clusterB = Clustered.freePort();
    int bridgeB = Clustered.freePort();
    String members = "127.0.0.1:" + clusterA + ",127.0.0.1:" + clusterB;
    String key = createUser();

    Process a = start(Map.of("EUCALYPT_CLUSTER_PORT", Integer.toString(clusterA), "EUCALYPT_CLUSTER_MEMBERS", members));
    int portA = ServerOutput.awaitListening(a);
    Process b = start(Map.of("EUCALYPT_CLUSTER_PORT", Integer.toString(clusterB), "EUCALYPT_CLUSTER_MEMBERS", members,
      "EUCALYPT_BRIDGE_PORT", Integer.toString(bridgeB)));
    int portB = ServerOutput.awaitListening(b);
    // Each sees the other: readiness names two members.
    await("a two-member cluster").atMost(Duration.ofSeconds(60))
      .until(() -> members(portA) == 2 && members(portB) == 2);

    List<JsonObject> heardOnB = new CopyOnWriteArrayList<>();
    try (Socket bridge = new Socket("127.0.0.1", bridgeB)) {
      DataOutputStream out = new DataOutputStream(bridge.getOutputStream());
      DataInputStream in = new DataInputStream(bridge.getInputStream());
      BridgeFrames.register(out, in, "eucalypt.events.library", "eucalypt.events.asset");
      Thread listener = new Thread(() -> {
        try {
          while (true) {
            JsonObject frame = BridgeFrames.read(in);
            if ("message".equals(frame.getString("type"))) {
              heardOnB.add(frame.getJsonObject("body"));
            }
          }
        } catch (IOException closed) {
          // the test is over
        }
      });
      listener.setDaemon(true);
      listener.start();

      // Everything goes to A.
      Set<String> libraries = new HashSet<>();
      for (int l = 0; l < LIBRARIES; l++) {
        HttpResponse<Buffer> created = http.post(portA, "localhost", "/api/libraries").bearerTokenAuthentication(key)
          .sendJsonObject(new JsonObject().put("name", "Library " + l)).await();
        assertEquals(201, created.statusCode(), created.bodyAsString());
        String lib = created.bodyAsJsonObject().getString("id");
        libraries.add(lib);
        for (int i = 0; i < ASSETS_EACH; i++) {
          MultipartForm form = MultipartForm.create()
            .attribute("device_asset_id", "d-" + UUID.randomUUID()).attribute("device_id", "it")
            .attribute("file_created_at", "2024-05-01T10:00:00Z").attribute("file_modified_at", "2024-05-01T10:00:00Z")
            .binaryFileUpload("asset_data", "p" + i + ".jpg", TestServer.randomBytes(1024), "application/octet-stream");
          HttpResponse<Buffer> up = http.post(portA, "localhost", "/api/assets").addQueryParam("library_id", lib)
            .bearerTokenAuthentication(key).sendMultipartForm(form).await();
          assertEquals(201, up.statusCode(), up.bodyAsString());
        }
      }
      // Heard on B, exactly once: every library's creation and every asset's.
      await("B's bridge hears every upload made on A").atMost(Duration.ofSeconds(30))
        .until(() -> count(heardOnB, "asset_created") == LIBRARIES * ASSETS_EACH);
      assertEquals(LIBRARIES, count(heardOnB, "library_created"));

      for (String lib : libraries) {
        assertEquals(200, http.post(portA, "localhost", "/api/libraries/" + lib + "/trash")
          .bearerTokenAuthentication(key).send().await().statusCode());
        assertEquals(200, http.delete(portA, "localhost", "/api/libraries/" + lib)
          .bearerTokenAuthentication(key).send().await().statusCode());
      }
      // Both drains at work; once the purge has begun, A is killed outright: B finishes alone.
      await("the purge begins").atMost(Duration.ofSeconds(60)).until(() -> count(heardOnB, "asset_deleted") > 0);
      a.destroyForcibly();
      assertTrue(a.waitFor(30, TimeUnit.SECONDS));
      await("every expedited library purged").atMost(Duration.ofSeconds(120))
        .until(() -> count(heardOnB, "library_purged") == LIBRARIES);
      for (String lib : libraries) {
        assertEquals(404, http.get(portB, "localhost", "/api/libraries/" + lib).bearerTokenAuthentication(key)
          .send().await().statusCode());
      }
    }

    // Exactly once: one asset_deleted event per asset, on the feed of record and on B's bridge.
    assertEquals(LIBRARIES * ASSETS_EACH, sqlCount("SELECT count(*) FROM events WHERE event_type = 'asset_deleted'"));
    assertEquals(LIBRARIES * ASSETS_EACH, sqlCount("SELECT count(DISTINCT entity_id) FROM events WHERE event_type = 'asset_deleted'"));
    assertEquals(LIBRARIES, sqlCount("SELECT count(*) FROM events WHERE event_type = 'library_purged'"));
    Map<String, Integer> deletions = new HashMap<>();
    for (JsonObject e : heardOnB) {
      if ("asset_deleted".equals(e.getString("event_type"))) {
        deletions.merge(e.getString("entity_id"), 1, Integer::sum);
      }
    }
    assertEquals(LIBRARIES * ASSETS_EACH, deletions.size());
    assertTrue(deletions.values().stream().allMatch(n -> n == 1), "heard twice: " + deletions);
    assertEquals(0, sqlCount("SELECT count(*) FROM assets"));
    assertEquals(0, sqlCount("SELECT count(*) FROM blob_deletions"));
    try (Stream<Path> files = Files.walk(storage.resolve("blobs"))) {
      assertEquals(List.of(), files.filter(Files::isRegularFile).toList());
    }
  }

  private int members(int port) {
    try {
      HttpResponse<Buffer> ready = http.get(port, "localhost", "/health/ready").send().await();
      for (Object c : ready.bodyAsJsonObject().getJsonArray("checks", new JsonArray())) {
        JsonObject check = (JsonObject) c;
        if ("cluster".equals(check.getString("id")) && "UP".equals(check.getString("status"))) {
          return check.getJsonObject("data").getInteger("members");
        }
      }
    } catch (RuntimeException notYet) {
      // not answering yet
    }
    return 0;
  }

  private static long count(List<JsonObject> events, String type) {
    return events.stream().filter(e -> type.equals(e.getString("event_type"))).count();
  }

  private long sqlCount(String sql) throws Exception {
    DatabaseUrl u = DatabaseUrl.parse(database.url());
    try (Connection c = DriverManager.getConnection(u.jdbcUrl(), u.user(), u.password());
         ResultSet r = c.createStatement().executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  private String createUser() throws Exception {
    Process p = process(Map.of(), "create-user", "--email", "scale@example.org").start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), err);
    return new JsonObject(out.trim()).getString("api_key");
  }

  private Process start(Map<String, String> env) throws IOException {
    Map<String, String> all = new HashMap<>(env);
    all.put("EUCALYPT_HTTP_PORT", "0");
    all.put("EUCALYPT_HTTP_INSTANCES", "2");
    all.put("EUCALYPT_DRAIN_INTERVAL", "PT1S");
    all.put("EUCALYPT_DRAIN_BATCH_SIZE", "5");
    all.put("EUCALYPT_DRAIN_BATCHES_PER_TICK", "2");
    Process p = process(all).redirectErrorStream(true).start();
    processes.add(p);
    return p;
  }

  private ProcessBuilder process(Map<String, String> env, String... args) {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-Xmx256m", "-jar", JAR.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("EUCALYPT_DATABASE_URL", database.url());
    pb.environment().put("EUCALYPT_STORAGE_DIR", storage.toString());
    pb.environment().putAll(env);
    return pb;
  }
}
