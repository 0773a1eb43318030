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
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.serviceproxy.ServiceProxyBuilder;
import org.eucalypt.asset.AssetService;
import org.eucalypt.auth.AuthService;
import org.eucalypt.auth.AuthVerticle;
import org.eucalypt.auth.Caller;
import org.eucalypt.bus.BusDoor;
import org.eucalypt.bus.DomainException;
import org.eucalypt.event.EventService;
import org.eucalypt.library.Library;
import org.eucalypt.library.LibraryService;
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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two eucalypt instances in one JVM, each with a Vert.x of its own joined into one Hazelcast
 * cluster, on one database and one storage directory: what one instance does is heard on the
 * other's bus and bridge exactly once, and a key revoked on one stops working on the other.
 */
class ClusterTest {
  private static Vertx vertxA;
  private static Vertx vertxB;
  /** A third member running no eucalypt: another service of the operator's, on the same cluster. */
  private static Vertx vertxC;
  private static TestServer a;
  private static TestServer b;
  private static int bridgeB;

  @BeforeAll
  static void start() {
    List<Vertx> members = Clustered.start(3);
    vertxA = members.get(0);
    vertxB = members.get(1);
    vertxC = members.get(2);
    bridgeB = Clustered.freePort();
    a = TestServer.start(vertxA);
    b = a.startAnotherInstance(vertxB, s -> s.with("bridge_port", bridgeB));
  }

  @AfterAll
  static void stop() {
    b.stopInstance();
    a.stop();
    vertxC.close().await();
    vertxB.close().await();
    vertxA.close().await();
  }

  @Test
  void bothInstancesAreMembersOfOneCluster() {
    assertTrue(vertxA.isClustered() && vertxB.isClustered());
    assertEquals(3, Cluster.nodes(vertxA).size());
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
  void everyInstanceServesHttpAndOpensTheLifecycleServicesToTheCluster() {
    User alice = a.newUser();
    String lib = a.createLibrary(alice, "Here");
    for (int i = 0; i < 20; i++) {
      assertEquals(200, b.get("/api/libraries/" + lib, alice.key()).statusCode());
      assertEquals(200, a.get("/api/libraries/" + lib, alice.key()).statusCode());
    }
    // Both members serve each service's address, for other services on the cluster (the bus door).
    for (String address : List.of(LibraryService.ADDRESS, AssetService.ADDRESS, AuthService.ADDRESS, EventService.ADDRESS)) {
      Promise<List<io.vertx.core.spi.cluster.RegistrationInfo>> found = Promise.promise();
      ((io.vertx.core.internal.VertxInternal) vertxC).clusterManager().getRegistrations(address, found);
      List<String> nodes = found.future().await().stream().filter(r -> !r.localOnly())
        .map(io.vertx.core.spi.cluster.RegistrationInfo::nodeId).distinct().toList();
      assertTrue(nodes.containsAll(List.of(Cluster.nodeId(vertxA), Cluster.nodeId(vertxB))), address + ": " + nodes);
    }
    // While this member's eviction address is one the cluster knows.
    Promise<List<io.vertx.core.spi.cluster.RegistrationInfo>> evict = Promise.promise();
    ((io.vertx.core.internal.VertxInternal) vertxA).clusterManager()
      .getRegistrations(AuthVerticle.EVICT + Cluster.nodeId(vertxB), evict);
    List<io.vertx.core.spi.cluster.RegistrationInfo> evictB = evict.future().await();
    assertEquals(1, evictB.size());
    assertTrue(!evictB.get(0).localOnly() && evictB.get(0).nodeId().equals(Cluster.nodeId(vertxB)));
  }

  /**
   * The bus door: a service on another member of the cluster calls the library lifecycle through
   * the typed proxy, with an API key in the message headers, and gets exactly what HTTP gives
   * the same key: its actions, its library scope, its user's tenancy.
   */
  @Test
  void anotherServiceOnTheClusterRunsTheLifecycleWithAnApiKey() {
    User alice = a.newUser();
    String lib = a.createLibrary(alice, "Over the bus");
    String other = a.createLibrary(alice, "Not in the key's scope");
    String scoped = a.post("/api/api-keys/", alice.key(), new JsonObject().put("name", "bus")
        .put("actions", new JsonArray().add("read").add("write").add("delete"))
        .put("library_scope_mode", "selected_libraries").put("library_ids", new JsonArray().add(lib)))
      .bodyAsJsonObject().getString("key");
    String readOnly = a.post("/api/api-keys/", alice.key(), new JsonObject().put("name", "reader")
        .put("actions", new JsonArray().add("read")).put("library_scope_mode", "all_libraries"))
      .bodyAsJsonObject().getString("key");

    LibraryService withScoped = libraries(scoped);
    withScoped.trashLibrary(null, lib).await();
    assertNotNull(a.get("/api/libraries?state=trashed", alice.key()).bodyAsJsonArray().stream()
      .filter(l -> lib.equals(((JsonObject) l).getString("id"))).findFirst().orElse(null), "trashed over the bus");
    Library restored = withScoped.restoreLibrary(null, lib).await();
    assertEquals(lib, restored.id());
    assertNull(restored.trashedAt());
    assertEquals(200, a.get("/api/libraries/" + lib, alice.key()).statusCode());
    // The scope holds: the key's other library is as good as unknown.
    assertEquals(DomainException.Kind.NOT_FOUND, failureOf(withScoped.trashLibrary(null, other)));
    assertEquals(200, a.get("/api/libraries/" + other, alice.key()).statusCode());

    // A read-only key reads, and is refused a trash.
    LibraryService withReadOnly = libraries(readOnly);
    assertEquals("Over the bus", withReadOnly.getLibrary(null, lib).await().name());
    assertEquals(DomainException.Kind.FORBIDDEN, failureOf(withReadOnly.trashLibrary(null, lib)));
    assertNull(withReadOnly.getLibrary(null, lib).await().trashedAt());

    // Another user's library is not found, even with a caller forged in the message: the door
    // replaces it with the key's own.
    User bob = a.newUser();
    String bobs = a.createLibrary(bob, "Bob's");
    Caller forged = new Caller(java.util.UUID.randomUUID(), java.util.UUID.randomUUID(),
      java.util.Set.of("read", "write", "delete", "delete_permanently"), null);
    assertEquals(DomainException.Kind.NOT_FOUND, failureOf(withReadOnly.getLibrary(forged, bobs)));
    assertEquals(DomainException.Kind.NOT_FOUND, failureOf(libraries(alice.key()).trashLibrary(null, bobs)));
    assertEquals(200, a.get("/api/libraries/" + bobs, bob.key()).statusCode());

    // No key, or a wrong one: not authenticated.
    assertEquals(DomainException.Kind.UNAUTHENTICATED, failureOf(libraries(null).getLibrary(null, lib)));
    assertEquals(DomainException.Kind.UNAUTHENTICATED, failureOf(libraries("eu_wrong").getLibrary(null, lib)));
  }

  private static LibraryService libraries(String key) {
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(10_000);
    if (key != null) {
      options.addHeader(BusDoor.AUTHORIZATION, "Bearer " + key);
    }
    return new ServiceProxyBuilder(vertxC).setAddress(LibraryService.ADDRESS).setOptions(options)
      .build(LibraryService.class);
  }

  private static DomainException.Kind failureOf(Future<?> call) {
    Throwable failure = assertThrows(Exception.class, call::await);
    DomainException.Kind kind = DomainException.kindOf(failure);
    assertNotNull(kind, "a domain failure: " + failure);
    return kind;
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
    java.util.UUID keyId = java.util.UUID.randomUUID();
    cacheB.put("hash-of-nothing", new Caller(java.util.UUID.randomUUID(), keyId, java.util.Set.of("read"), null),
      cacheB.generation());
    assertNotNull(cacheB.get("hash-of-nothing"));
    vertxA.eventBus().request(AuthVerticle.EVICT + Cluster.nodeId(vertxB),
      new JsonObject().put("key_id", keyId.toString())).await();
    assertNull(cacheB.get("hash-of-nothing"));
  }

  private static WebClient spreading(TestServer s) {
    return WebClient.create(s.vertx, new WebClientOptions().setDefaultHost("localhost")
      .setDefaultPort(s.app.port()).setKeepAlive(false));
  }
}
