package org.eucalypt.reliability;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eucalypt.reliability.support.JarFixture;
import org.eucalypt.reliability.support.JarProcess;
import org.eucalypt.support.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A rolling restart under load: two packaged servers on one database and one storage directory
 * (README, "Running several instances"), unclustered; each in turn gets SIGTERM, is started again
 * and awaited ready, while a few clients loop over reading a library, listing its assets,
 * uploading and trashing then restoring it.
 *
 * <p>The clients act as a load balancer: a poller reads each instance's {@code /health/ready}
 * every 50 ms, and a request goes to a ready instance, alternating; it moves to the other
 * instance only when its connection is refused. A request that got an answer is never retried,
 * and one that failed after it was sent counts as lost. Checked: zero 5xx, zero lost or unexpected
 * answers, requests were served while each instance was down, and afterwards every upload answered
 * 201 is there (ids, counters and bytes exact) with the store's invariants intact.
 *
 * <p>{@code -Dreliability.rolling.rounds=N}: restarts of each instance (1 by default).
 */
class RollingRestartIT {
  private static final int ROUNDS = Integer.getInteger("reliability.rolling.rounds", 1);
  private static final int CLIENTS = 4;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(5)).build();
  private final JarProcess[] servers = new JarProcess[2];
  private final int[] ports = {JarProcess.freePort(), JarProcess.freePort()};
  /** What the load balancer believes: an instance is sent requests only while its readiness says 200. */
  private final AtomicIntegerArray ready = new AtomicIntegerArray(2);
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<String> problems = new CopyOnWriteArrayList<>();
  private final AtomicInteger served = new AtomicInteger();
  private final AtomicInteger refusedThenRetried = new AtomicInteger();
  private TestDatabase database;
  private String key;

  @AfterEach
  void stop() {
    running.set(false);
    for (JarProcess s : servers) {
      if (s != null && s.alive()) {
        s.kill9();
      }
    }
    if (database != null) {
      database.drop();
    }
  }

  @Test
  void restartingEachInstanceInTurnLosesNoRequestAndNoWrite() throws Exception {
    database = TestDatabase.fresh();
    Path storage = Files.createTempDirectory("eucalypt-rolling-");
    Path log = Files.createTempFile("eucalypt-rolling-", ".log");
    System.out.println("RollingRestartIT server log: " + log);
    JarFixture db = new JarFixture(database.url(), storage);
    Map<String, String> env = Map.of(
      "EUCALYPT_DATABASE_URL", database.url(),
      "EUCALYPT_STORAGE_DIR", storage.toString(),
      "EUCALYPT_HTTP_INSTANCES", "1",
      "EUCALYPT_DATABASE_POOL_SIZE", "4",
      // Long enough for the poller (every 50 ms) to see the 503 before the listener closes.
      "EUCALYPT_SHUTDOWN_GRACE", "PT1S",
      "EUCALYPT_SHUTDOWN_TIMEOUT", "PT15S");
    key = JarFixture.createUser(env, "rolling@example.org", log);
    for (int i = 0; i < 2; i++) {
      servers[i] = JarProcess.start(env, ports[i], log);
    }
    Thread poller = new Thread(this::poll, "lb-poller");
    poller.setDaemon(true);
    poller.start();

    List<Client> clients = new ArrayList<>();
    for (int c = 0; c < CLIENTS; c++) {
      HttpResponse<String> res = send(0, "POST", "/api/libraries", new JsonObject().put("name", "rolling-" + c).encode(),
        "application/json");
      assertEquals(201, res.statusCode(), res.body());
      clients.add(new Client(c, new JsonObject(res.body()).getString("id")));
    }
    List<Thread> threads = new ArrayList<>();
    for (Client c : clients) {
      Thread t = new Thread(c::run, "client-" + c.index);
      t.start();
      threads.add(t);
    }

    List<Integer> servedWhileDown = new ArrayList<>();
    for (int round = 0; round < ROUNDS; round++) {
      for (int i = 0; i < 2; i++) {
        awaitServed(20);
        servers[i].sigterm();
        int before = served.get();
        Integer code = servers[i].awaitExit(40);
        assertNotNull(code, "instance " + i + " did not exit within 40 s of SIGTERM; see " + log);
        assertEquals(0, code, "instance " + i + " exit code; see " + log);
        servers[i] = JarProcess.start(env, ports[i], log);
        servedWhileDown.add(served.get() - before);
      }
    }
    awaitServed(20);
    running.set(false);
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(60));
      assertTrue(!t.isAlive(), "a client did not stop");
    }
    System.out.println("RollingRestartIT: " + served.get() + " requests answered, " + refusedThenRetried.get()
      + " refused connections sent to the other instance, requests answered while an instance was stopping and"
      + " restarting: " + servedWhileDown);
    assertEquals(List.of(), problems, "5xx, lost or unexpected answers");
    for (int n : servedWhileDown) {
      assertTrue(n > 0, "no request was served while an instance restarted: " + servedWhileDown);
    }

    // Every upload answered 201 is there, counters exact.
    for (Client c : clients) {
      JsonObject library = new JsonObject(send(0, "GET", "/api/libraries/" + c.library, null, null).body());
      assertEquals(null, library.getValue("trashed_at"));
      assertEquals(c.uploaded.size(), library.getLong("asset_count").intValue(), "asset_count of client " + c.index);
      assertEquals(c.uploaded.values().stream().mapToLong(Integer::longValue).sum(), library.getLong("storage_used_bytes"));
      assertEquals(c.uploaded.keySet(), listIds(c.library), "assets of client " + c.index);
    }
    db.assertInvariants("after the rolling restart");
    assertEquals(db.strings("SELECT blob_key FROM assets"), db.filesInStore(), "files in the store and rows differ");
    for (JarProcess s : servers) {
      s.term();
    }
  }

  /** One looping client: its own library, each operation in turn, each request to the next ready instance. */
  private final class Client {
    final int index;
    final String library;
    final Map<String, Integer> uploaded = new HashMap<>();
    final Random random;
    int next;

    Client(int index, String library) {
      this.index = index;
      this.library = library;
      this.random = new Random(index);
      this.next = index;
    }

    void run() {
      int op = 0;
      while (running.get()) {
        try {
          switch (op++ % 4) {
            case 0 -> expect(200, request("GET", "/api/libraries/" + library, null, null));
            case 1 -> expect(200, request("GET", "/api/assets?library_id=" + library + "&limit=50", null, null));
            case 2 -> upload();
            default -> {
              expect(200, request("POST", "/api/libraries/" + library + "/trash", null, null));
              expect(200, request("POST", "/api/libraries/" + library + "/restore", null, null));
            }
          }
        } catch (Lost e) {
          problems.add("client " + index + ": " + e.getMessage());
        }
      }
    }

    void upload() throws Lost {
      byte[] content = new byte[1024 + random.nextInt(2048)];
      random.nextBytes(content);
      String boundary = "r" + random.nextLong();
      HttpResponse<String> res = request("POST", "/api/assets?library_id=" + library,
        JarFixture.multipart(boundary, "d" + random.nextLong(), content), "multipart/form-data; boundary=" + boundary);
      if (expect(201, res)) {
        uploaded.put(new JsonObject(res.body()).getString("id"), content.length);
      }
    }

    boolean expect(int status, HttpResponse<String> res) {
      served.incrementAndGet();
      if (res.statusCode() != status) {
        problems.add("client " + index + ": " + res.request().method() + " " + res.request().uri() + " answered "
          + res.statusCode() + " " + res.body());
        return false;
      }
      return true;
    }

    /**
     * The load balancer: the next instance whose readiness said 200; on a refused connection
     * (nothing was sent) the other one. Any other failure after the request went out is a loss.
     */
    HttpResponse<String> request(String method, String path, Object body, String type) throws Lost {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (System.nanoTime() < deadline) {
        for (int tries = 0; tries < 2; tries++) {
          int i = next++ % 2;
          if (ready.get(i) != 200) {
            continue;
          }
          try {
            return send(i, method, path, body, type);
          } catch (ConnectException e) {
            refusedThenRetried.incrementAndGet();
          } catch (Exception e) {
            throw new Lost(method + " " + path + " to instance " + i + " failed after it was sent: " + e);
          }
        }
        // The load balancer's own wait for a ready instance (what is simulated), not the test's.
        pause(20);
      }
      throw new Lost(method + " " + path + ": no instance ready for 30 s");
    }
  }

  private static final class Lost extends Exception {
    Lost(String message) {
      super(message);
    }
  }

  private HttpResponse<String> send(int instance, String method, String path, Object body, String type) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + ports[instance] + path))
      .timeout(java.time.Duration.ofSeconds(30))
      .header("Authorization", "Bearer " + key);
    if (type != null) {
      b.header("Content-Type", type);
    }
    HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
      : body instanceof byte[] bytes ? HttpRequest.BodyPublishers.ofByteArray(bytes)
      : HttpRequest.BodyPublishers.ofString((String) body);
    return http.send(b.method(method, publisher).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The load balancer's health check, every 50 ms as a load balancer would: simulated, not awaited. */
  private void poll() {
    while (running.get()) {
      for (int i = 0; i < 2; i++) {
        JarProcess s = servers[i];
        ready.set(i, s == null ? -1 : s.status("/health/ready"));
      }
      pause(50);
    }
  }

  private void awaitServed(int more) {
    int target = served.get() + more;
    await("the clients making progress").atMost(java.time.Duration.ofSeconds(60))
      .untilAsserted(() -> assertTrue(served.get() >= target, () -> served.get() + " answered; problems " + problems));
  }

  private Set<String> listIds(String library) throws Exception {
    Set<String> ids = new java.util.HashSet<>();
    String after = null;
    while (true) {
      String q = "/api/assets?library_id=" + library + "&limit=200" + (after == null ? "" : "&starting_after_id=" + after);
      JsonObject page = new JsonObject(send(0, "GET", q, null, null).body());
      JsonArray data = page.getJsonArray("data");
      for (Object a : data) {
        after = ((JsonObject) a).getString("id");
        ids.add(after);
      }
      if (!page.getBoolean("has_more") || data.isEmpty()) {
        return ids;
      }
    }
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
