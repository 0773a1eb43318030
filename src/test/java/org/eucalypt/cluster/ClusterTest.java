package org.eucalypt.cluster;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.eucalypt.auth.AuthVerticle;
import org.eucalypt.auth.PrincipalCache;
import org.eucalypt.support.BridgeFrames;
import org.eucalypt.support.Clustered;
import org.eucalypt.support.TestServer;
import org.eucalypt.support.TestServer.User;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two eucalypt instances in one JVM, each with a Vert.x of its own joined into one Hazelcast
 * cluster, on one database and one storage directory: what one instance does is heard on the
 * other's bus and bridge exactly once, and a key revoked on one stops working on the other.
 */
class ClusterTest {
  private static Vertx vertxA;
  private static Vertx vertxB;
  private static TestServer a;
  private static TestServer b;
  private static int bridgeB;

  @BeforeAll
  static void start() {
    List<Vertx> members = Clustered.start(2);
    vertxA = members.get(0);
    vertxB = members.get(1);
    bridgeB = Clustered.freePort();
    a = TestServer.start(vertxA);
    b = a.startAnotherInstance(vertxB, s -> s.with("bridge_port", bridgeB));
  }

  @AfterAll
  static void stop() {
    b.stopInstance();
    a.stop();
    vertxB.close().await();
    vertxA.close().await();
  }

  @Test
  void bothInstancesAreMembersOfOneCluster() {
    assertTrue(vertxA.isClustered() && vertxB.isClustered());
    assertEquals(2, Cluster.nodes(vertxA).size());
    assertTrue(Cluster.nodes(vertxA).contains(Cluster.nodeId(vertxB)));
  }

  @Test
  void anEventMadeOnOneInstanceIsHeardOnceOnTheOthersBusAndBridge() throws Exception {
    User alice = a.newUser();
    Map<String, List<String>> heardOnA = new ConcurrentHashMap<>();
    Map<String, List<String>> heardOnB = new ConcurrentHashMap<>();
    // On B, the event consumer and a ping consumer share one event loop, so a ping that A sends
    // after its own relay published arrives after anything that relay could have sent B.
    Context onB = vertxB.getOrCreateContext();
    Promise<List<MessageConsumer<?>>> registered = Promise.promise();
    onB.runOnContext(v -> {
      MessageConsumer<JsonObject> events = vertxB.eventBus().consumer("eucalypt.events.library",
        m -> heardOnB.computeIfAbsent(m.body().getString("entity_id") + " " + m.body().getString("event_type"),
          k -> new CopyOnWriteArrayList<>()).add("B"));
      MessageConsumer<Object> ping = vertxB.eventBus().consumer("test.ping", m -> m.reply("pong"));
      Future.all(events.completion(), ping.completion()).onComplete(ar -> registered.complete(List.of(events, ping)));
    });
    List<MessageConsumer<?>> consumersB = registered.future().await();
    MessageConsumer<JsonObject> consumerA = vertxA.eventBus().consumer("eucalypt.events.library",
      m -> heardOnA.computeIfAbsent(m.body().getString("entity_id") + " " + m.body().getString("event_type"),
        k -> new CopyOnWriteArrayList<>()).add("A"));
    consumerA.completion().await();
    try (Socket socket = new Socket("127.0.0.1", bridgeB)) {
      socket.setSoTimeout(10_000);
      DataOutputStream out = new DataOutputStream(socket.getOutputStream());
      DataInputStream in = new DataInputStream(socket.getInputStream());
      BridgeFrames.register(out, in, "eucalypt.events.library");

      // The change goes to A; then a second one, as a marker that everything before it arrived.
      String lib = a.createLibrary(alice, "Heard everywhere");
      a.post("/api/libraries/" + lib + "/trash", alice.key(), null);
      String created = lib + " library_created";
      String trashed = lib + " library_trashed";
      await().atMost(Duration.ofSeconds(20))
        .until(() -> heardOnA.containsKey(trashed) && heardOnB.containsKey(trashed));
      assertTrue(vertxA.eventBus().request("test.ping", "ping").await().body().equals("pong"));

      assertEquals(List.of("B"), heardOnB.get(created), "heard on B's bus once: " + heardOnB);
      assertEquals(List.of("B"), heardOnB.get(trashed), "heard on B's bus once: " + heardOnB);
      assertEquals(List.of("A"), heardOnA.get(created), "heard on A's bus once: " + heardOnA);
      assertEquals(List.of("A"), heardOnA.get(trashed), "heard on A's bus once: " + heardOnA);

      // B's bridge client: the creation, then the trash, and nothing between them or twice.
      List<String> frames = new ArrayList<>();
      while (!frames.contains("library_trashed")) {
        JsonObject frame = BridgeFrames.read(in);
        assertEquals("message", frame.getString("type"), frame.encode());
        assertEquals(lib, frame.getJsonObject("body").getString("entity_id"));
        frames.add(frame.getJsonObject("body").getString("event_type"));
      }
      assertEquals(List.of("library_created", "library_trashed"), frames);
      // A ping answered after them: no copy of either was queued behind.
      BridgeFrames.write(out, new JsonObject().put("type", "ping"));
      JsonObject next = BridgeFrames.read(in);
      assertEquals("pong", next.getString("type"), "after the events, only the pong: " + next.encode());
    } finally {
      consumerA.unregister().await();
      for (MessageConsumer<?> c : consumersB) {
        c.unregister().await();
      }
    }
  }

  @Test
  void lifecycleRequestsAreAnsweredWhereTheyAreMade() {
    // Each instance serves every lifecycle address itself; a request never goes to the other.
    User alice = a.newUser();
    String lib = a.createLibrary(alice, "Here");
    for (int i = 0; i < 20; i++) {
      assertEquals(200, b.get("/api/libraries/" + lib, alice.key()).statusCode());
      assertEquals(200, a.get("/api/libraries/" + lib, alice.key()).statusCode());
    }
    // Their consumers are local: the cluster's registry names none that other members could use.
    // A request can only be answered where it is made.
    for (String address : List.of("libraries.get", "libraries.trash", "assets.create", AuthVerticle.AUTHENTICATE)) {
      Promise<List<io.vertx.core.spi.cluster.RegistrationInfo>> found = Promise.promise();
      ((io.vertx.core.internal.VertxInternal) vertxA).clusterManager().getRegistrations(address, found);
      List<io.vertx.core.spi.cluster.RegistrationInfo> registrations = found.future().await();
      assertTrue(registrations.stream().allMatch(io.vertx.core.spi.cluster.RegistrationInfo::localOnly),
        address + ": " + registrations);
    }
    // While this member's eviction address is one the cluster knows.
    Promise<List<io.vertx.core.spi.cluster.RegistrationInfo>> evict = Promise.promise();
    ((io.vertx.core.internal.VertxInternal) vertxA).clusterManager()
      .getRegistrations(AuthVerticle.EVICT + Cluster.nodeId(vertxB), evict);
    List<io.vertx.core.spi.cluster.RegistrationInfo> evictB = evict.future().await();
    assertEquals(1, evictB.size());
    assertTrue(!evictB.get(0).localOnly() && evictB.get(0).nodeId().equals(Cluster.nodeId(vertxB)));
  }

  @Test
  void aKeyRevokedOnOneInstanceIsRefusedOnTheOtherAtTheNextRequest() {
    User alice = a.newUser();
    WebClient spreadB = spreading(b);
    try {
      for (int round = 0; round < 10; round++) {
        JsonObject created = a.post("/api/api-keys/", alice.key(), new JsonObject().put("name", "k" + round)
          .put("actions", new io.vertx.core.json.JsonArray().add("read")).put("library_scope_mode", "all_libraries"))
          .bodyAsJsonObject();
        String key = created.getString("key");
        // Cached on B: used on every event loop there.
        for (int i = 0; i < 6; i++) {
          assertEquals(200, spreadB.get("/api/libraries").bearerTokenAuthentication(key).send().await().statusCode());
        }
        HttpResponse<Buffer> revoked = a.call(io.vertx.core.http.HttpMethod.DELETE, "/api/api-keys/" + created.getString("id"),
          alice.key(), null);
        assertEquals(200, revoked.statusCode(), revoked.bodyAsString());
        // The very next request on B, with no wait.
        assertEquals(401, spreadB.get("/api/libraries").bearerTokenAuthentication(key).send().await().statusCode(),
          "round " + round);
      }
    } finally {
      spreadB.close();
    }
  }

  @Test
  void anEvictionIsDoneOnTheMemberBeforeItIsAcknowledged() {
    // A principal cached on B only (no database row, so no NOTIFY can be what removes it).
    PrincipalCache cacheB = PrincipalCache.of(vertxB);
    cacheB.put("hash-of-nothing", new JsonObject().put("key_id", "k-1").put("user_id", "u"), cacheB.generation());
    assertNotNull(cacheB.get("hash-of-nothing"));
    vertxA.eventBus().request(AuthVerticle.EVICT + Cluster.nodeId(vertxB), new JsonObject().put("key_id", "k-1")).await();
    assertNull(cacheB.get("hash-of-nothing"));
  }

  private static WebClient spreading(TestServer s) {
    return WebClient.create(s.vertx, new WebClientOptions().setDefaultHost("localhost")
      .setDefaultPort(s.app.port()).setKeepAlive(false));
  }
}
