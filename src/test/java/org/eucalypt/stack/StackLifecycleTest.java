package org.eucalypt.stack;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Row;
import org.eucalypt.drain.Drain;
import org.eucalypt.id.Ids;
import org.eucalypt.support.TestServer;
import org.eucalypt.support.TestServer.User;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stacks inside the trash lifecycle, against real PostgreSQL and real storage: a library's trash
 * and restore leave its stacks alone and only hide them; a trashed member stays a member
 * (Gumnut: it still counts towards the two a stack needs, not towards {@code asset_count}, and a
 * trashed cover keeps its pin); every permanent delete (one asset, several, empty-trash, the
 * retention purge) takes the membership in its own transaction, unpins a deleted cover and
 * dissolves a stack left with one member; the drain purges stacks with their members, batch by
 * batch, never leaving a reference to anything gone, and the library row last.
 */
@ExtendWith(VertxExtension.class)
class StackLifecycleTest {
  // A server per test: tests move the clock and run drains.
  private TestServer server;
  private User alice;

  @BeforeEach
  void boot(Vertx vertx) {
    server = TestServer.start(vertx);
    alice = server.newUser();
  }

  @AfterEach
  void stop() {
    server.stop();
  }

  // ================================================================ library trash and restore

  @Test
  void libraryTrashHidesItsStacksWithoutTouchingThemAndRestoreBringsThemBack() {
    String lib = server.createLibrary(alice, "Photos");
    String other = server.createLibrary(alice, "Other");
    String a = asset(lib);
    String b = asset(lib);
    String c = asset(lib);
    String stack = stack(lib, a, a, b, c);
    String kept = stack(other, null, asset(other), asset(other));
    JsonObject before = get("/api/stacks/" + stack);
    String rowsBefore = stackRows();

    status(200, server.post("/api/libraries/" + lib + "/trash", alice.key(), null));
    // Not a row of the stacks or their members changed: the trash is one row update.
    assertEquals(rowsBefore, stackRows());

    status(404, server.get("/api/stacks/" + stack, alice.key()));
    status(404, server.get("/api/stacks?library_id=" + lib, alice.key()));
    status(404, server.get("/api/assets?stack_id=" + stack, alice.key()));
    status(404, server.call(HttpMethod.PATCH, "/api/stacks/" + stack, alice.key(), new JsonObject().put("primary_asset_id", b)));
    status(404, server.post("/api/stacks/" + stack + "/assets", alice.key(), assetIds(a)));
    status(404, server.call(HttpMethod.DELETE, "/api/stacks/" + stack + "/assets", alice.key(), assetIds(a)));
    status(404, server.call(HttpMethod.DELETE, "/api/stacks/" + stack, alice.key(), null));
    status(404, server.post("/api/stacks", alice.key(), new JsonObject().put("library_id", lib)
      .put("asset_ids", new JsonArray().add(a).add(b))));
    // The live library is now the only one: its list has only its own stack.
    assertEquals(List.of(kept), ids(get("/api/stacks")));
    assertEquals(rowsBefore, stackRows(), "a refused request changed a stack");

    status(200, server.post("/api/libraries/" + lib + "/restore", alice.key(), null));
    assertEquals(before, get("/api/stacks/" + stack));
    assertEquals(Set.of(a, b, c), members(stack, "all"));
    assertEquals(List.of(stack), ids(get("/api/stacks?library_id=" + lib)));
  }

  // ================================================================ trashed members

  @Test
  void aTrashedMemberStaysAMemberAndKeepsItsPinButIsNotCounted() {
    String lib = server.createLibrary(alice, "Photos");
    String a = asset(lib);
    String b = asset(lib);
    String c = asset(lib);
    String stack = stack(lib, a, a, b, c);

    trash(lib, a, b);
    JsonObject s = get("/api/stacks/" + stack);
    assertEquals(1, s.getLong("asset_count"), "trashed members are left out of asset_count");
    assertEquals(a, s.getString("primary_asset_id"), "a trashed cover keeps its pin");
    assertEquals(Set.of(c), members(stack, "live"));
    assertEquals(Set.of(a, b, c), members(stack, "all"));
    assertEquals(stack, get("/api/assets/" + a).getString("stack_id"));
    // A trashed member cannot become the cover.
    status(400, server.call(HttpMethod.PATCH, "/api/stacks/" + stack, alice.key(), new JsonObject().put("primary_asset_id", b)));

    restore(lib, a);
    assertEquals(2, get("/api/stacks/" + stack).getLong("asset_count"));

    // Trashed members count towards the two a stack needs: pulling c leaves a and (trashed) b.
    status(200, server.call(HttpMethod.DELETE, "/api/stacks/" + stack + "/assets", alice.key(), assetIds(c)));
    JsonObject survived = get("/api/stacks/" + stack);
    assertEquals(1, survived.getLong("asset_count"), "a stack can survive with asset_count below 2");
    assertEquals(Set.of(a, b), members(stack, "all"));
  }

  // ================================================================ permanent deletes

  @Test
  void everyPermanentDeleteTakesTheMembershipUnpinsAndDissolves() {
    String lib = server.createLibrary(alice, "Photos");
    String a = asset(lib);
    String b = asset(lib);
    String c = asset(lib);
    String d = asset(lib);
    String stack = stack(lib, a, a, b, c, d);

    // One asset: the deleted cover's pin is cleared, with no re-pick (clients choose their own).
    String cursor = cursor();
    status(200, server.call(HttpMethod.DELETE, "/api/assets/" + a, alice.key(), null));
    JsonObject s = get("/api/stacks/" + stack);
    assertNull(s.getValue("primary_asset_id"));
    assertEquals(3, s.getLong("asset_count"));
    List<JsonObject> events = events(lib, cursor);
    assertEquals(List.of("asset_deleted:" + a, "stack_updated:" + stack), kinds(events));
    assertEquals(new JsonArray().add(a), events.get(1).getJsonObject("payload").getJsonArray("asset_ids"));

    // Several at once.
    status(200, server.call(HttpMethod.DELETE, "/api/assets?library_id=" + lib, alice.key(),
      new JsonObject().put("ids", new JsonArray().add(b))));
    assertEquals(2, get("/api/stacks/" + stack).getLong("asset_count"));

    // Empty-trash: c goes, d is left alone in the stack, which dissolves.
    trash(lib, c);
    cursor = cursor();
    status(200, server.post("/api/assets/empty-trash?library_id=" + lib, alice.key(), null));
    status(404, server.get("/api/stacks/" + stack, alice.key()));
    assertNull(get("/api/assets/" + d).getValue("stack_id"));
    assertEquals(List.of("asset_deleted:" + c, "asset_updated:" + d, "stack_deleted:" + stack), kinds(events(lib, cursor)));

    // Both members in one delete: the stack goes, no member is left to free.
    String x = asset(lib);
    String y = asset(lib);
    String pair = stack(lib, x, x, y);
    cursor = cursor();
    status(200, server.call(HttpMethod.DELETE, "/api/assets?library_id=" + lib, alice.key(),
      new JsonObject().put("ids", new JsonArray().add(x).add(y))));
    status(404, server.get("/api/stacks/" + pair, alice.key()));
    assertEquals(List.of("asset_deleted:" + x, "asset_deleted:" + y, "stack_deleted:" + pair).stream().sorted().toList(),
      kinds(events(lib, cursor)).stream().sorted().toList());

    assertNoStackWithFewerThanTwoMembers();
    server.assertInvariants();
  }

  @Test
  void theRetentionPurgeDissolvesAStackLeftWithOneMember() {
    String lib = server.createLibrary(alice, "Photos");
    String e = asset(lib);
    String f = asset(lib);
    String g = asset(lib);
    String stack = stack(lib, e, e, f, g);
    trash(lib, e, f);
    Drain drain = server.drain(10);
    assertTrue(drain.purgeTrashedAssetsBatch().await().idle(), "nothing is due yet");
    assertEquals(Set.of(e, f, g), members(stack, "all"));

    server.clock.advance(server.app.settings().assetTrashRetention().plus(Duration.ofDays(1)));
    String cursor = cursor();
    assertEquals(2, drain.purgeTrashedAssetsBatch().await().purgedAssets().size());
    status(404, server.get("/api/stacks/" + stack, alice.key()));
    assertNull(get("/api/assets/" + g).getValue("stack_id"));
    List<String> kinds = kinds(events(lib, cursor));
    assertTrue(kinds.containsAll(List.of("asset_deleted:" + e, "asset_deleted:" + f, "asset_updated:" + g,
      "stack_deleted:" + stack)), kinds.toString());
    assertEquals(0, server.count("SELECT count(*) FROM stacks"));
    server.assertInvariants();
  }

  // ================================================================ the drain

  @Test
  void theDrainPurgesStacksWithTheirMembersBatchByBatchAndTheLibraryLast() {
    String lib = server.createLibrary(alice, "Doomed");
    String keep = server.createLibrary(alice, "Kept");
    List<String> stacks = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String first = asset(lib);
      stacks.add(stack(lib, first, first, asset(lib), asset(lib)));
      asset(lib);
    }
    String kept = stack(keep, null, asset(keep), asset(keep));
    JsonObject keptBefore = get("/api/stacks/" + kept);

    status(200, server.post("/api/libraries/" + lib + "/trash", alice.key(), null));
    status(200, server.call(HttpMethod.DELETE, "/api/libraries/" + lib, alice.key(), null));
    Drain drain = server.drain(4);
    List<Integer> sizes = new ArrayList<>();
    Drain.Batch batch;
    do {
      batch = drain.purgeLibraryBatch().await();
      sizes.add(batch.purgedAssets().size());
      assertTrue(batch.purgedAssets().size() <= 4);
      // After every batch: no stack below two members, and no member of a stack that is gone.
      assertNoStackWithFewerThanTwoMembers();
      assertEquals(0, server.count("""
        SELECT count(*) FROM assets a WHERE a.stack_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM stacks s WHERE s.id = a.stack_id AND s.library_id = a.library_id)"""));
      server.assertInvariants();
    } while (!batch.libraryRemoved());
    assertEquals(List.of(4, 4, 4, 0), sizes);

    UUID library = Ids.LIBRARY.parse(lib).orElseThrow();
    assertEquals(0, server.count("SELECT count(*) FROM stacks WHERE library_id = $1", library));
    assertEquals(0, server.count("SELECT count(*) FROM assets WHERE library_id = $1", library));
    assertEquals(0, server.count("SELECT count(*) FROM libraries WHERE id = $1", library));
    assertEquals(3, server.count("SELECT count(*) FROM events WHERE event_type = 'stack_deleted' AND entity_id = ANY($1)",
      (Object) stacks.toArray(String[]::new)));
    status(404, server.get("/api/stacks/" + stacks.get(0), alice.key()));
    // The other library's stack is untouched.
    assertEquals(keptBefore, get("/api/stacks/" + kept));
  }

  @Test
  void aRestoreBetweenDrainBatchesBringsBackConsistentStacks() {
    String lib = server.createLibrary(alice, "Almost");
    List<String> stacks = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String first = asset(lib);
      stacks.add(stack(lib, first, first, asset(lib)));
    }
    status(200, server.post("/api/libraries/" + lib + "/trash", alice.key(), null));
    status(200, server.call(HttpMethod.DELETE, "/api/libraries/" + lib, alice.key(), null));
    // One batch of 3: the first stack goes whole, the second loses a member and dissolves.
    assertEquals(3, server.drain(3).purgeLibraryBatch().await().purgedAssets().size());
    status(200, server.post("/api/libraries/" + lib + "/restore", alice.key(), null));

    status(404, server.get("/api/stacks/" + stacks.get(0), alice.key()));
    status(404, server.get("/api/stacks/" + stacks.get(1), alice.key()));
    JsonObject third = get("/api/stacks/" + stacks.get(2));
    assertEquals(2, third.getLong("asset_count"));
    assertEquals(List.of(stacks.get(2)), ids(get("/api/stacks?library_id=" + lib)));
    // Every asset the list shows is there, and none points at a stack that is gone.
    for (Object o : get("/api/assets?library_id=" + lib + "&state=all&limit=200").getJsonArray("data")) {
      JsonObject asset = (JsonObject) o;
      String stack = asset.getString("stack_id");
      if (stack != null) {
        assertEquals(stacks.get(2), stack);
      }
    }
    assertNoStackWithFewerThanTwoMembers();
    server.assertInvariants();
  }

  // ================================================================ helpers

  private void assertNoStackWithFewerThanTwoMembers() {
    assertEquals(0, server.count("""
      SELECT count(*) FROM stacks s WHERE (SELECT count(*) FROM assets a WHERE a.stack_id = s.id) < 2"""));
  }

  /** Every stack row and every membership, as text: what a library trash must not change. */
  private String stackRows() {
    StringBuilder out = new StringBuilder();
    for (Row r : server.sql("SELECT id, origin, primary_asset_id, updated_at FROM stacks ORDER BY id")) {
      out.append(r.toJson().encode()).append('\n');
    }
    for (Row r : server.sql("SELECT id, stack_id, updated_at FROM assets WHERE stack_id IS NOT NULL ORDER BY id")) {
      out.append(r.toJson().encode()).append('\n');
    }
    return out.toString();
  }

  private String asset(String lib) {
    return server.uploadRandom(alice, lib).getString("id");
  }

  private String stack(String lib, String primary, String... assets) {
    JsonObject body = new JsonObject().put("library_id", lib).put("asset_ids", new JsonArray(List.of((Object[]) assets)));
    if (primary != null) {
      body.put("primary_asset_id", primary);
    }
    HttpResponse<Buffer> res = server.post("/api/stacks", alice.key(), body);
    assertEquals(201, res.statusCode(), res.bodyAsString());
    return res.bodyAsJsonObject().getString("id");
  }

  private void trash(String lib, String... ids) {
    status(200, server.post("/api/assets/trash?library_id=" + lib, alice.key(),
      new JsonObject().put("ids", new JsonArray(List.of((Object[]) ids)))));
  }

  private void restore(String lib, String... ids) {
    status(200, server.post("/api/assets/restore?library_id=" + lib, alice.key(),
      new JsonObject().put("ids", new JsonArray(List.of((Object[]) ids)))));
  }

  private Set<String> members(String stack, String state) {
    return get("/api/assets?stack_id=" + stack + "&state=" + state + "&limit=200").getJsonArray("data").stream()
      .map(o -> ((JsonObject) o).getString("id")).collect(Collectors.toSet());
  }

  private JsonObject get(String uri) {
    HttpResponse<Buffer> res = server.get(uri, alice.key());
    assertEquals(200, res.statusCode(), uri + ": " + res.bodyAsString());
    return res.bodyAsJsonObject();
  }

  private static List<String> ids(JsonObject page) {
    return page.getJsonArray("data").stream().map(o -> ((JsonObject) o).getString("id")).toList();
  }

  private String cursor() {
    return String.valueOf(server.count("SELECT coalesce(max(id), 0) FROM events"));
  }

  private List<JsonObject> events(String lib, String cursor) {
    return get("/api/events?library_id=" + lib + "&limit=200&after_cursor=" + cursor).getJsonArray("data").stream()
      .map(o -> (JsonObject) o).toList();
  }

  private static List<String> kinds(List<JsonObject> events) {
    return events.stream().map(e -> e.getString("event_type") + ":" + e.getString("entity_id")).toList();
  }

  private static JsonObject assetIds(String... ids) {
    return new JsonObject().put("asset_ids", new JsonArray(List.of((Object[]) ids)));
  }

  private static void status(int expected, HttpResponse<Buffer> res) {
    assertEquals(expected, res.statusCode(), res.bodyAsString());
  }
}
