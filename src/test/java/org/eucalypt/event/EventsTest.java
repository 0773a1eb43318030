package org.eucalypt.event;

import org.eucalypt.support.BridgeFrames;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.eucalypt.support.TestServer;
import org.eucalypt.support.TestServer.User;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The change feed, the relay onto the event bus, and the TCP bridge, against real PostgreSQL. */
@ExtendWith(VertxExtension.class)
class EventsTest {
  private TestServer server;
  private User alice;
  private int bridgePort;

  @BeforeEach
  void start(Vertx vertx) throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      bridgePort = s.getLocalPort();
    }
    server = TestServer.start(vertx, s -> s.with("bridge_port", bridgePort));
    alice = server.newUser();
  }

  @AfterEach
  void stop() {
    server.stop();
  }

  @Test
  void theFeedListsEveryChangeInCommitOrderWithFiltersAndPages() {
    String lib = server.createLibrary(alice, "Feed");
    String asset = server.uploadRandom(alice, lib).getString("id");
    server.post("/api/assets/trash?library_id=" + lib, alice.key(), new JsonObject().put("ids", new JsonArray().add(asset)));
    server.post("/api/assets/restore?library_id=" + lib, alice.key(), new JsonObject().put("ids", new JsonArray().add(asset)));
    server.call(HttpMethod.PATCH, "/api/libraries/" + lib, alice.key(), new JsonObject().put("name", "Renamed"));

    List<JsonObject> all = events("/api/events?library_id=" + lib);
    // Gumnut's vocabulary: a trash or restore of an asset is an asset_updated saying what changed.
    assertEquals(List.of("library_created", "asset_created", "asset_updated", "asset_updated", "library_updated"),
      all.stream().map(e -> e.getString("event_type")).toList());
    assertEquals("trashed", all.get(2).getJsonObject("payload").getString("change"));
    assertNotNull(all.get(2).getJsonObject("payload").getString("trashed_at"));
    assertEquals("restored", all.get(3).getJsonObject("payload").getString("change"));
    for (JsonObject e : all) {
      assertTrue(e.containsKey("cursor") && e.containsKey("created_at") && e.containsKey("entity_id")
        && e.containsKey("payload"), e.encode());
    }
    assertEquals(asset, all.get(1).getString("entity_id"));
    assertEquals("asset", all.get(1).getString("entity_type"));
    assertEquals(lib, all.get(0).getString("entity_id"));

    // Omitted library_id: the caller's only live library.
    assertEquals(all, events("/api/events"));
    // Entity types, repeated or comma-separated.
    assertEquals(List.of("asset_created", "asset_updated", "asset_updated"),
      events("/api/events?entity_types=asset&library_id=" + lib).stream().map(e -> e.getString("event_type")).toList());
    assertEquals(5, events("/api/events?entity_types=asset,library&library_id=" + lib).size());
    assertEquals(5, events("/api/events?entity_types=asset&entity_types=library&library_id=" + lib).size());

    // Pages of two, by cursor.
    List<JsonObject> paged = new ArrayList<>();
    String cursor = null;
    boolean more = true;
    while (more) {
      JsonObject page = server.get("/api/events?limit=2&library_id=" + lib
        + (cursor == null ? "" : "&after_cursor=" + cursor), alice.key()).bodyAsJsonObject();
      page.getJsonArray("data").forEach(o -> paged.add((JsonObject) o));
      more = page.getBoolean("has_more");
      cursor = paged.get(paged.size() - 1).getString("cursor");
    }
    assertEquals(all, paged);

    // Time bounds: created_at_gte inclusive, created_at_lt exclusive.
    String third = all.get(2).getString("created_at");
    assertEquals(all.subList(2, 5), events("/api/events?library_id=" + lib + "&created_at_gte=" + third));
    assertEquals(all.subList(0, 2), events("/api/events?library_id=" + lib + "&created_at_lt=" + third));
  }

  @Test
  void badParametersAnswer422AndForeignLibrariesAnswer404() {
    String lib = server.createLibrary(alice, "Mine");
    User bob = server.newUser();
    assertEquals(404, server.get("/api/events?library_id=" + lib, bob.key()).statusCode());
    assertEquals(404, server.get("/api/events?library_id=lib_2222222222222222222222", alice.key()).statusCode());
    assertEquals(404, server.get("/api/events?library_id=nope", alice.key()).statusCode());
    for (String bad : new String[] {"limit=0", "limit=201", "limit=x", "after_cursor=abc", "entity_types=spaceship",
      "created_at_gte=yesterday"}) {
      HttpResponse<Buffer> res = server.get("/api/events?library_id=" + lib + "&" + bad, alice.key());
      assertEquals(422, res.statusCode(), bad + ": " + res.bodyAsString());
      assertEquals("query", res.bodyAsJsonObject().getJsonArray("detail").getJsonObject(0).getJsonArray("loc").getString(0));
    }
    server.createLibrary(alice, "Second");
    assertEquals(400, server.get("/api/events", alice.key()).statusCode());
  }

  @Test
  void aPurgedLibrarysFeedStaysReadableAndEndsWithLibraryPurged() {
    String lib = server.createLibrary(alice, "Doomed");
    server.uploadRandom(alice, lib);
    server.uploadRandom(alice, lib);
    server.post("/api/libraries/" + lib + "/trash", alice.key(), null);
    server.call(HttpMethod.DELETE, "/api/libraries/" + lib, alice.key(), null);
    while (!server.drain(10).runBatch().await().libraryRemoved()) {
      // one batch at a time until the library row is gone
    }
    assertEquals(404, server.get("/api/libraries/" + lib, alice.key()).statusCode());
    List<String> types = events("/api/events?library_id=" + lib).stream().map(e -> e.getString("event_type")).toList();
    assertEquals(List.of("library_created", "asset_created", "asset_created", "library_trashed",
      "library_purge_expedited", "asset_deleted", "asset_deleted", "library_purged"), types);
    assertEquals(404, server.get("/api/events?library_id=" + lib, server.newUser().key()).statusCode());
  }

  @Test
  void aChangeThatFailsWritesNoEvent() {
    String lib = server.createLibrary(alice, "Tiny");
    server.call(HttpMethod.PATCH, "/api/libraries/" + lib, alice.key(), new JsonObject().put("storage_limit_bytes", 10));
    long before = server.count("SELECT count(*) FROM events");
    // Refused in its transaction, after the row went in: the row and its event go together.
    assertEquals(507, server.upload(alice, lib, "big.jpg", TestServer.randomBytes(100)).statusCode());
    assertEquals(404, server.post("/api/assets/trash?library_id=" + lib, alice.key(),
      new JsonObject().put("ids", new JsonArray().add("asset_2222222222222222222222"))).statusCode());
    assertEquals(409, server.call(HttpMethod.DELETE, "/api/libraries/" + lib, alice.key(), null).statusCode());
    assertEquals(before, server.count("SELECT count(*) FROM events"));
    assertEquals(0, server.count("SELECT count(*) FROM assets"));
  }

  @Test
  void committedEventsArePublishedOnTheBusAfterCommitAndInCommitOrder() {
    List<JsonObject> seen = new CopyOnWriteArrayList<>();
    List<Boolean> visibleWhenHeard = new CopyOnWriteArrayList<>();
    MessageConsumer<JsonObject> libraries = server.vertx.eventBus().consumer("eucalypt.events.library", m -> {
      seen.add(m.body());
      // Published only after commit: whatever the event says is already in the database.
      server.app.pool().preparedQuery("SELECT count(*) FROM events WHERE id = $1")
        .execute(io.vertx.sqlclient.Tuple.of(Long.parseLong(m.body().getString("cursor"))))
        .onSuccess(rows -> visibleWhenHeard.add(rows.iterator().next().getLong(0) == 1));
    });
    MessageConsumer<JsonObject> assets = server.vertx.eventBus().consumer("eucalypt.events.asset", m -> seen.add(m.body()));
    try {
      String lib = server.createLibrary(alice, "Busy");
      List<Future<?>> writes = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        writes.add(server.client.post("/api/libraries").bearerTokenAuthentication(alice.key())
          .sendJsonObject(new JsonObject().put("name", "L" + i)));
      }
      Future.all(writes).await();
      server.post("/api/libraries/" + lib + "/trash", alice.key(), null);
      await().atMost(Duration.ofSeconds(10))
        .until(() -> seen.stream().anyMatch(e -> "library_trashed".equals(e.getString("event_type"))));

      JsonObject trashed = seen.stream().filter(e -> "library_trashed".equals(e.getString("event_type"))).findFirst()
        .orElseThrow();
      assertEquals(lib, trashed.getString("entity_id"));
      assertEquals(lib, trashed.getString("library_id"));
      assertEquals(alice.id(), trashed.getString("user_id"));
      assertEquals("library", trashed.getString("entity_type"));
      assertTrue(trashed.containsKey("created_at") && trashed.containsKey("payload"));

      List<Long> cursors = seen.stream().map(e -> Long.parseLong(e.getString("cursor"))).toList();
      for (int i = 1; i < cursors.size(); i++) {
        assertTrue(cursors.get(i) > cursors.get(i - 1), "published out of order: " + cursors);
      }
      List<Long> committed = new ArrayList<>();
      server.sql("SELECT id FROM events WHERE user_id = (SELECT user_id FROM libraries WHERE id = $1) ORDER BY id",
        org.eucalypt.id.Ids.LIBRARY.parse(lib).orElseThrow()).forEach(r -> committed.add(r.getLong(0)));
      assertEquals(committed, cursors, "every committed event, once, in commit order");
      await().atMost(Duration.ofSeconds(10)).until(() -> visibleWhenHeard.size() == seen.stream()
        .filter(e -> "library".equals(e.getString("entity_type"))).count());
      assertFalse(visibleWhenHeard.contains(false));
    } finally {
      libraries.unregister().await();
      assets.unregister().await();
    }
  }

  @Test
  void aTcpClientHearsEventsAndIsRefusedWhenItSends() throws Exception {
    String lib = server.createLibrary(alice, "Watched");
    try (Socket socket = new Socket("127.0.0.1", bridgePort)) {
      socket.setSoTimeout(10_000);
      DataOutputStream out = new DataOutputStream(socket.getOutputStream());
      DataInputStream in = new DataInputStream(socket.getInputStream());
      BridgeFrames.register(out, in, "eucalypt.events.library");

      server.post("/api/libraries/" + lib + "/trash", alice.key(), null);
      // The library's creation may still be on its way to the bus; the trash comes after it.
      JsonObject frame = BridgeFrames.read(in);
      if ("library_created".equals(frame.getJsonObject("body").getString("event_type"))) {
        frame = BridgeFrames.read(in);
      }
      assertEquals("message", frame.getString("type"));
      assertEquals("eucalypt.events.library", frame.getString("address"));
      assertEquals("library_trashed", frame.getJsonObject("body").getString("event_type"));
      assertEquals(lib, frame.getJsonObject("body").getString("entity_id"));

      for (String type : new String[] {"send", "publish"}) {
        for (String address : new String[] {"libraries.trash", "eucalypt.events.library"}) {
          BridgeFrames.write(out, new JsonObject().put("type", type).put("address", address)
            .put("body", new JsonObject().put("library_id", lib)));
          JsonObject refusal = BridgeFrames.read(in);
          assertEquals("err", refusal.getString("type"), refusal.encode());
          assertEquals("access_denied", refusal.getString("message"));
        }
      }
      BridgeFrames.write(out, new JsonObject().put("type", "register").put("address", "libraries.trash"));
      assertEquals("access_denied", BridgeFrames.read(in).getString("message"));
    }
    // Nothing a bridge client sent reached the lifecycle.
    assertTrue(server.get("/api/libraries/" + lib, alice.key()).bodyAsJsonObject().getString("trashed_at") != null);
    assertEquals(1, server.count("SELECT count(*) FROM events WHERE event_type = 'library_trashed'"));
  }

  private List<JsonObject> events(String path) {
    HttpResponse<Buffer> res = server.get(path + (path.contains("?") ? "&" : "?") + "limit=200", alice.key());
    assertEquals(200, res.statusCode(), res.bodyAsString());
    List<JsonObject> out = new ArrayList<>();
    res.bodyAsJsonObject().getJsonArray("data").forEach(o -> out.add((JsonObject) o));
    return out;
  }
}
