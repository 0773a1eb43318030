package org.eucalypt.stack;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.serviceproxy.ServiceProxyBuilder;
import org.eucalypt.bus.BusDoor;
import org.eucalypt.bus.DomainException;
import org.eucalypt.id.Ids;
import org.eucalypt.support.ServerExtension;
import org.eucalypt.support.TestServer;
import org.eucalypt.support.TestServer.User;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stacks over HTTP against real PostgreSQL, as Gumnut's SDK documents them: create, read, list,
 * add, remove, set the cover, dissolve; an asset in one stack at most; {@code stack_id} on assets
 * and as a list filter; events; scope; and two requests racing for one asset. Every response is
 * checked against openapi.yaml by the test client (support.ContractCheck).
 */
@ExtendWith(ServerExtension.class)
class StackApiTest {
  private static TestServer server;
  private User alice;
  private User bob;

  @BeforeAll
  static void start(TestServer started) {
    server = started;
  }

  @BeforeEach
  void users() {
    alice = server.newUser();
    bob = server.newUser();
  }

  // ================================================================ create, read, list

  @Test
  void createAnswersTheStackAndEveryMemberCarriesItsId() {
    String lib = server.createLibrary(alice, "Photos");
    server.createLibrary(alice, "Another");
    String a = asset(alice, lib);
    String b = asset(alice, lib);
    String c = asset(alice, lib);
    String loose = asset(alice, lib);

    HttpResponse<Buffer> res = create(alice, lib, b, List.of(a, b, c));
    assertEquals(201, res.statusCode(), res.bodyAsString());
    JsonObject stack = res.bodyAsJsonObject();
    String id = stack.getString("id");
    assertTrue(Ids.STACK.parse(id).isPresent(), id);
    assertEquals(3, stack.getLong("asset_count"));
    assertEquals("user", stack.getString("origin"));
    assertEquals(b, stack.getString("primary_asset_id"));
    assertEquals(lib, stack.getString("library_id"));
    assertNotNull(stack.getString("created_at"));
    assertEquals(stack, get(alice, "/api/stacks/" + id));
    assertEquals(stack, get(alice, "/api/stacks/" + id + "/"));

    for (String member : List.of(a, b, c)) {
      assertEquals(id, get(alice, "/api/assets/" + member).getString("stack_id"));
    }
    assertNull(get(alice, "/api/assets/" + loose).getValue("stack_id"));
    assertTrue(get(alice, "/api/assets/" + loose).containsKey("stack_id"), "stack_id is always answered");

    // The frames of a stack by its id alone, though alice has two libraries; or with its library.
    assertEquals(Set.of(a, b, c), assetIds(alice, "/api/assets?stack_id=" + id));
    assertEquals(Set.of(a, b, c), assetIds(alice, "/api/assets?library_id=" + lib + "&stack_id=" + id));
    assertEquals(Set.of(a), assetIds(alice, "/api/assets?stack_id=" + id + "&ids=" + a + "," + loose));
    // In the wrong library, or a stack id that cannot exist: no frames.
    String other = server.createLibrary(alice, "Third");
    assertEquals(Set.of(), assetIds(alice, "/api/assets?library_id=" + other + "&stack_id=" + id));
    assertEquals(Set.of(), assetIds(alice, "/api/assets?library_id=" + lib + "&stack_id=asset_stack_nope"));

    JsonObject page = get(alice, "/api/stacks?library_id=" + lib);
    assertEquals(List.of(stack), page.getJsonArray("data").stream().map(o -> (JsonObject) o).toList());
    assertEquals(false, page.getBoolean("has_more"));
  }

  @Test
  void aStackNeedsTwoDistinctAssetsOfItsLibraryAndNothingChangesOtherwise() {
    String lib = server.createLibrary(alice, "Photos");
    String other = server.createLibrary(alice, "Other");
    String a = asset(alice, lib);
    String b = asset(alice, lib);
    String elsewhere = asset(alice, other);
    String trashed = asset(alice, lib);
    assertEquals(200, server.post("/api/assets/trash?library_id=" + lib, alice.key(),
      new JsonObject().put("ids", new JsonArray().add(trashed))).statusCode());
    String bobs = asset(bob, server.createLibrary(bob, "Bob's"));
    String c = asset(alice, lib);
    long events = eventCount();

    assertValidation(create(alice, lib, null, List.of(a)), "asset_ids");
    assertValidation(create(alice, lib, null, List.of(a, a)), "asset_ids");
    assertValidation(create(alice, lib, b, List.of(a, c)), "primary_asset_id");
    assertValidation(server.post("/api/stacks", alice.key(), new JsonObject().put("library_id", lib)), "asset_ids");
    // Unknown, malformed, in another library, another user's: 404.
    assertStatus(404, create(alice, lib, null, List.of(a, "asset_" + "2".repeat(22))));
    assertStatus(404, create(alice, lib, null, List.of(a, "bogus")));
    assertStatus(404, create(alice, lib, null, List.of(a, elsewhere)));
    assertStatus(404, create(alice, lib, null, List.of(a, bobs)));
    assertStatus(404, create(bob, lib, null, List.of(a, b)));
    // A trashed asset cannot be stacked.
    assertStatus(400, create(alice, lib, null, List.of(a, trashed)));
    // Two libraries and none named: 400, as for assets.
    assertStatus(400, create(alice, null, null, List.of(a, b)));

    assertEquals(0, server.count("SELECT count(*) FROM stacks WHERE library_id = $1", uuid(Ids.LIBRARY, lib)));
    assertNull(get(alice, "/api/assets/" + a).getValue("stack_id"));
    assertEquals(events, eventCount(), "a refused request wrote events");
  }

  @Test
  void listPagesByIdAndFiltersByIdsOriginAndCover() {
    String lib = server.createLibrary(alice, "Photos");
    List<String> stacks = new ArrayList<>();
    List<String> covers = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String cover = asset(alice, lib);
      covers.add(cover);
      stacks.add(createOk(alice, lib, i % 2 == 0 ? cover : null, cover, asset(alice, lib)));
    }
    List<String> sorted = stacks.stream().sorted().toList();
    assertEquals(sorted, stacks, "ids are time-ordered, so creation order is id order");

    JsonObject first = get(alice, "/api/stacks?library_id=" + lib + "&limit=2");
    assertEquals(sorted.subList(0, 2), ids(first));
    assertEquals(true, first.getBoolean("has_more"));
    JsonObject second = get(alice, "/api/stacks?library_id=" + lib + "&limit=2&starting_after_id=" + sorted.get(1));
    assertEquals(sorted.subList(2, 4), ids(second));
    JsonObject last = get(alice, "/api/stacks?library_id=" + lib + "&limit=2&starting_after_id=" + sorted.get(3));
    assertEquals(sorted.subList(4, 5), ids(last));
    assertEquals(false, last.getBoolean("has_more"));
    // Alice's only library: no library_id needed.
    assertEquals(sorted, ids(get(alice, "/api/stacks")));

    assertEquals(List.of(sorted.get(1), sorted.get(3)),
      ids(get(alice, "/api/stacks?ids=" + sorted.get(3) + "," + sorted.get(1) + "&ids=nonsense")));
    assertEquals(sorted, ids(get(alice, "/api/stacks?origin=user")));
    assertEquals(List.of(), ids(get(alice, "/api/stacks?origin=auto_burst")));
    assertEquals(List.of(sorted.get(2)), ids(get(alice, "/api/stacks?primary_asset_id=" + covers.get(2))));
    assertEquals(List.of(), ids(get(alice, "/api/stacks?primary_asset_id=" + covers.get(1))));

    assertValidation(server.get("/api/stacks?starting_after_id=bogus", alice.key()), "starting_after_id");
    assertValidation(server.get("/api/stacks?origin=magic", alice.key()), "origin");
    assertValidation(server.get("/api/stacks?limit=0", alice.key()), "limit");
    assertValidation(server.get("/api/stacks?limit=201", alice.key()), "limit");
    // Bob sees none of them.
    server.createLibrary(bob, "Bob's");
    assertEquals(List.of(), ids(get(bob, "/api/stacks")));
    assertStatus(404, server.get("/api/stacks?library_id=" + lib, bob.key()));
  }

  // ================================================================ add, remove, dissolve

  @Test
  void addSkipsMembersAndRemoveIgnoresNonMembers() {
    String lib = server.createLibrary(alice, "Photos");
    String a = asset(alice, lib);
    String b = asset(alice, lib);
    String c = asset(alice, lib);
    String d = asset(alice, lib);
    String stack = createOk(alice, lib, a, a, b);
    setOrigin(stack, "auto_burst");

    // Nothing new: 200, unchanged, origin kept, no event.
    long events = eventCount();
    JsonObject same = add(alice, stack, a, b);
    assertEquals("auto_burst", same.getString("origin"));
    assertEquals(2, same.getLong("asset_count"));
    assertEquals(events, eventCount());

    JsonObject grown = add(alice, stack, b, c, d);
    assertEquals(4, grown.getLong("asset_count"));
    assertEquals("user", grown.getString("origin"), "a change by the user freezes the stack against re-detection");
    assertEquals(a, grown.getString("primary_asset_id"));
    assertEquals(Set.of(a, b, c, d), assetIds(alice, "/api/assets?stack_id=" + stack));

    // Removing non-members, malformed ids included, changes nothing.
    String outsider = asset(alice, lib);
    setOrigin(stack, "auto_burst");
    events = eventCount();
    assertStatus(200, remove(alice, stack, outsider, "garbage"));
    assertEquals(events, eventCount());
    assertEquals("auto_burst", get(alice, "/api/stacks/" + stack).getString("origin"));

    // Removing the cover unpins it, with no re-pick; the survivor becomes user-owned.
    assertStatus(200, remove(alice, stack, a, d));
    JsonObject left = get(alice, "/api/stacks/" + stack);
    assertNull(left.getValue("primary_asset_id"));
    assertEquals("user", left.getString("origin"));
    assertEquals(2, left.getLong("asset_count"));
    assertNull(get(alice, "/api/assets/" + a).getValue("stack_id"));
    assertNull(get(alice, "/api/assets/" + d).getValue("stack_id"));

    // Down to one member: the stack dissolves, and the last frame is loose again.
    assertStatus(200, remove(alice, stack, b));
    assertStatus(404, server.get("/api/stacks/" + stack, alice.key()));
    assertNull(get(alice, "/api/assets/" + c).getValue("stack_id"));
    assertEquals(0, server.count("SELECT count(*) FROM assets WHERE stack_id = $1", uuid(Ids.STACK, stack)));
    assertStatus(404, remove(alice, stack, c));
    assertStatus(404, server.post("/api/stacks/" + stack + "/assets", alice.key(), assetIdsBody(a)));
  }

  @Test
  void anAssetIsInOneStackAndMovesWithItsCover() {
    String lib = server.createLibrary(alice, "Photos");
    String a = asset(alice, lib);
    String b = asset(alice, lib);
    String c = asset(alice, lib);
    String d = asset(alice, lib);
    String e = asset(alice, lib);
    String first = createOk(alice, lib, null, a, b, c);

    // c moves to the new stack; the first keeps a and b.
    String second = createOk(alice, lib, null, c, d);
    assertEquals(second, get(alice, "/api/assets/" + c).getString("stack_id"));
    assertEquals(Set.of(a, b), assetIds(alice, "/api/assets?stack_id=" + first));
    assertEquals(2, get(alice, "/api/stacks/" + first).getLong("asset_count"));

    // b moves too: the first is left with one member and dissolves.
    String third = createOk(alice, lib, null, b, e);
    assertStatus(404, server.get("/api/stacks/" + first, alice.key()));
    assertNull(get(alice, "/api/assets/" + a).getValue("stack_id"));
    assertEquals(third, get(alice, "/api/assets/" + b).getString("stack_id"));

    // Adding a stack's pinned cover to another stack folds that whole stack in.
    assertEquals(d, cover(alice, second, d).getString("primary_asset_id"));
    JsonObject merged = add(alice, third, d);
    assertEquals(4, merged.getLong("asset_count"));
    assertEquals(Set.of(b, c, d, e), assetIds(alice, "/api/assets?stack_id=" + third));
    assertStatus(404, server.get("/api/stacks/" + second, alice.key()));

    // The database itself holds every asset to one stack, of its own library.
    assertEquals(0, server.count("""
      SELECT count(*) FROM assets a JOIN stacks s ON s.id = a.stack_id WHERE s.library_id <> a.library_id"""));
    assertEquals(0, server.count("""
      SELECT count(*) FROM stacks s WHERE (SELECT count(*) FROM assets a WHERE a.stack_id = s.id) < 2"""));
  }

  @Test
  void theCoverMustBeALiveMember() {
    String lib = server.createLibrary(alice, "Photos");
    String a = asset(alice, lib);
    String b = asset(alice, lib);
    String c = asset(alice, lib);
    String outsider = asset(alice, lib);
    String stack = createOk(alice, lib, null, a, b, c);
    setOrigin(stack, "auto_burst");
    assertEquals(200, server.post("/api/assets/trash?library_id=" + lib, alice.key(),
      new JsonObject().put("ids", new JsonArray().add(c))).statusCode());

    long events = eventCount();
    assertStatus(400, patch(alice, stack, outsider));
    assertStatus(400, patch(alice, stack, c));
    assertStatus(400, patch(alice, stack, "asset_bogus"));
    assertValidation(server.call(HttpMethod.PATCH, "/api/stacks/" + stack, alice.key(), new JsonObject()), "primary_asset_id");
    assertValidation(server.call(HttpMethod.PATCH, "/api/stacks/" + stack, alice.key(),
      new JsonObject().putNull("primary_asset_id")), "primary_asset_id");
    assertEquals(events, eventCount());
    assertNull(get(alice, "/api/stacks/" + stack).getValue("primary_asset_id"));

    JsonObject pinned = cover(alice, stack, b);
    assertEquals(b, pinned.getString("primary_asset_id"));
    assertEquals("user", pinned.getString("origin"));
    assertEquals(2, pinned.getLong("asset_count"), "the trashed member is not counted");
    assertEquals(pinned, get(alice, "/api/stacks/" + stack));
  }

  @Test
  void deleteDissolvesTheStackAndLeavesThePhotos() {
    String lib = server.createLibrary(alice, "Photos");
    String a = asset(alice, lib);
    String b = asset(alice, lib);
    String c = asset(alice, lib);
    String stack = createOk(alice, lib, a, a, b, c);
    String before = String.valueOf(eventCursor());

    HttpResponse<Buffer> deleted = server.call(HttpMethod.DELETE, "/api/stacks/" + stack, alice.key(), null);
    assertStatus(200, deleted);
    assertEquals(new JsonObject(), deleted.bodyAsJsonObject());
    assertStatus(404, server.call(HttpMethod.DELETE, "/api/stacks/" + stack, alice.key(), null));
    assertStatus(404, server.get("/api/stacks/" + stack, alice.key()));
    for (String member : List.of(a, b, c)) {
      JsonObject asset = get(alice, "/api/assets/" + member);
      assertNull(asset.getValue("stack_id"));
      assertNull(asset.getValue("trashed_at"));
    }
    assertEquals(3, get(alice, "/api/libraries/" + lib).getLong("asset_count"));
    assertEquals(List.of(), ids(get(alice, "/api/stacks")));
    List<String> after = events(alice, lib, before).stream()
      .map(e -> e.getString("event_type") + ":" + e.getString("entity_id")).toList();
    assertEquals(List.of("asset_updated:" + a, "asset_updated:" + b, "asset_updated:" + c, "stack_deleted:" + stack), after);
  }

  // ================================================================ events

  @Test
  void everyChangeWritesItsEventsInItsTransaction() {
    String lib = server.createLibrary(alice, "Photos");
    String a = asset(alice, lib);
    String b = asset(alice, lib);
    String c = asset(alice, lib);
    String start = String.valueOf(eventCursor());

    String stack = createOk(alice, lib, a, a, b);
    add(alice, stack, c);
    cover(alice, stack, b);
    assertStatus(200, remove(alice, stack, c));
    assertStatus(200, remove(alice, stack, a));

    List<JsonObject> all = events(alice, lib, start);
    List<String> seen = all.stream().map(e -> e.getString("event_type") + ":" + e.getString("entity_id")).toList();
    assertEquals(List.of(
      "stack_created:" + stack, "asset_updated:" + a, "asset_updated:" + b,
      "stack_updated:" + stack, "asset_updated:" + c,
      "stack_updated:" + stack,
      "asset_updated:" + c, "stack_updated:" + stack,
      "asset_updated:" + a, "asset_updated:" + b, "stack_deleted:" + stack), seen);
    assertEquals(stack, all.get(1).getJsonObject("payload").getString("stack_id"));
    assertEquals(List.of(a, b), all.get(0).getJsonObject("payload").getJsonArray("asset_ids").getList());
    assertEquals("cover_set", all.get(5).getJsonObject("payload").getString("change"));
    assertNull(all.get(6).getJsonObject("payload").getValue("stack_id"));

    // entity_types=stack: the stack's own events only.
    JsonObject feed = get(alice, "/api/events?library_id=" + lib + "&entity_types=stack&limit=200&after_cursor=" + start);
    List<String> stackOnly = feed.getJsonArray("data").stream().map(o -> ((JsonObject) o).getString("event_type")).toList();
    assertEquals(List.of("stack_created", "stack_updated", "stack_updated", "stack_updated", "stack_deleted"), stackOnly);
  }

  // ================================================================ scope

  @Test
  void anotherUsersStackAndOneOutsideTheKeysScopeAre404() {
    String lib = server.createLibrary(alice, "Photos");
    String other = server.createLibrary(alice, "Other");
    String a = asset(alice, lib);
    String b = asset(alice, lib);
    String stack = createOk(alice, lib, null, a, b);
    String x = asset(alice, other);
    String y = asset(alice, other);
    String otherStack = createOk(alice, other, null, x, y);
    server.createLibrary(bob, "Bob's");

    String scoped = scopedKey(alice, other);
    for (String key : List.of(bob.key(), scoped)) {
      assertStatus(404, server.get("/api/stacks/" + stack, key));
      assertStatus(404, server.call(HttpMethod.PATCH, "/api/stacks/" + stack, key, new JsonObject().put("primary_asset_id", a)));
      assertStatus(404, server.call(HttpMethod.DELETE, "/api/stacks/" + stack, key, null));
      assertStatus(404, server.post("/api/stacks/" + stack + "/assets", key, assetIdsBody(a)));
      assertStatus(404, server.call(HttpMethod.DELETE, "/api/stacks/" + stack + "/assets", key, assetIdsBody(a)));
      assertStatus(404, server.get("/api/assets?stack_id=" + stack, key));
      assertStatus(404, server.get("/api/stacks?library_id=" + lib, key));
      assertStatus(404, server.post("/api/stacks", key, new JsonObject().put("library_id", lib)
        .put("asset_ids", new JsonArray().add(a).add(b))));
    }
    assertEquals(List.of(), ids(get(bob, "/api/stacks")));
    // The scoped key sees its own library's stack, with no library_id (its only one).
    HttpResponse<Buffer> mine = server.get("/api/stacks", scoped);
    assertStatus(200, mine);
    assertEquals(List.of(otherStack), ids(mine.bodyAsJsonObject()));
    assertStatus(200, server.get("/api/stacks/" + otherStack, scoped));
    // A member must be of the stack's library.
    assertStatus(404, server.post("/api/stacks/" + otherStack + "/assets", alice.key(), assetIdsBody(a)));
    // Wrong prefix or malformed: 404.
    assertStatus(404, server.get("/api/stacks/" + a, alice.key()));
    assertStatus(404, server.get("/api/stacks/asset_stack_x", alice.key()));
    // Nothing changed.
    assertEquals(Set.of(a, b), assetIds(alice, "/api/assets?stack_id=" + stack));
    assertNull(get(alice, "/api/stacks/" + stack).getValue("primary_asset_id"));
  }

  // ================================================================ the event bus

  /** Other services reach the same stacks on the bus, with a key and the same rules as HTTP. */
  @Test
  void theServiceAnswersOnTheEventBusBehindTheDoor() {
    String lib = server.createLibrary(alice, "Bus");
    String a = asset(alice, lib);
    String b = asset(alice, lib);
    String c = asset(alice, lib);
    server.createLibrary(bob, "Bob's");
    StackService asAlice = bus(alice.key());
    // The door puts the key's own caller in; whatever caller the message carried is ignored.
    Stack made = asAlice.createStack(null, lib, List.of(a, b), a).await();
    assertEquals(a, made.primaryAssetId());
    assertEquals(2, made.assetCount());
    assertEquals(made.toJson(), get(alice, "/api/stacks/" + made.id()));
    assertEquals(3, asAlice.addAssetsToStack(null, made.id(), List.of(c)).await().assetCount());
    assertEquals(List.of(made.id()), asAlice.listStacks(null, new StackFilter(lib, null, null, null, null, 20)).await().data()
      .stream().map(Stack::id).toList());

    assertEquals(DomainException.Kind.NOT_FOUND, kindOf(() -> bus(bob.key()).getStack(null, made.id())));
    assertEquals(DomainException.Kind.FORBIDDEN, kindOf(() -> bus(readOnlyKey(alice)).deleteStack(null, made.id())));
    assertEquals(DomainException.Kind.UNAUTHENTICATED, kindOf(() -> bus("eu_nonsense").getStack(null, made.id())));
    assertEquals(3, get(alice, "/api/stacks/" + made.id()).getLong("asset_count"));
  }

  private static StackService bus(String key) {
    return new ServiceProxyBuilder(server.vertx).setAddress(StackService.ADDRESS)
      .setOptions(new DeliveryOptions().addHeader(BusDoor.AUTHORIZATION, "Bearer " + key))
      .build(StackService.class);
  }

  private static DomainException.Kind kindOf(java.util.function.Supplier<Future<?>> call) {
    try {
      call.get().await();
    } catch (Throwable e) {
      return DomainException.kindOf(e);
    }
    throw new AssertionError("the call succeeded");
  }

  private static String readOnlyKey(User user) {
    HttpResponse<Buffer> res = server.post("/api/api-keys/", user.key(), new JsonObject().put("name", "read only")
      .put("actions", new JsonArray().add("read")).put("library_scope_mode", "all_libraries"));
    assertEquals(201, res.statusCode(), res.bodyAsString());
    return res.bodyAsJsonObject().getString("key");
  }

  // ================================================================ races

  /**
   * Two requests put one asset into two different stacks at the same moment: exactly one wins,
   * the other answers 409 and changes nothing. The moment is made certain by holding the
   * asset's row lock in a transaction of the test's own until both requests wait on it.
   */
  @Test
  void concurrentConflictingChangesLetExactlyOneWin() {
    String lib = server.createLibrary(alice, "Photos");
    String a = asset(alice, lib);
    String b = asset(alice, lib);
    String c = asset(alice, lib);
    String d = asset(alice, lib);
    String e = asset(alice, lib);
    String f = asset(alice, lib);
    String contested = asset(alice, lib);
    String left = createOk(alice, lib, null, c, d);
    String right = createOk(alice, lib, null, e, f);

    // Two new stacks claiming one asset.
    List<HttpResponse<Buffer>> creates = race(contested, () -> List.of(
      send(HttpMethod.POST, "/api/stacks", new JsonObject().put("asset_ids", new JsonArray().add(a).add(contested))),
      send(HttpMethod.POST, "/api/stacks", new JsonObject().put("asset_ids", new JsonArray().add(b).add(contested)))));
    HttpResponse<Buffer> won = oneWinner(creates, 201);
    String winner = won.bodyAsJsonObject().getString("id");
    assertEquals(winner, get(alice, "/api/assets/" + contested).getString("stack_id"));
    String loser = won == creates.get(0) ? b : a;
    assertNull(get(alice, "/api/assets/" + loser).getValue("stack_id"), "the losing request changed something");
    assertEquals(3, ids(get(alice, "/api/stacks")).size(), "exactly one stack was made");

    // Two existing stacks each adding the same asset.
    String free = asset(alice, lib);
    List<HttpResponse<Buffer>> adds = race(free, () -> List.of(
      send(HttpMethod.POST, "/api/stacks/" + left + "/assets", assetIdsBody(free)),
      send(HttpMethod.POST, "/api/stacks/" + right + "/assets", assetIdsBody(free))));
    HttpResponse<Buffer> added = oneWinner(adds, 200);
    String into = added.bodyAsJsonObject().getString("id");
    String other = into.equals(left) ? right : left;
    assertEquals(into, get(alice, "/api/assets/" + free).getString("stack_id"));
    assertEquals(3, get(alice, "/api/stacks/" + into).getLong("asset_count"));
    assertEquals(2, get(alice, "/api/stacks/" + other).getLong("asset_count"));
    assertEquals(1, server.count("SELECT count(*) FROM events WHERE event_type = 'asset_updated'"
      + " AND entity_id = $1 AND payload->>'change' = 'stack'", free));
  }

  // ================================================================ helpers

  private interface Requests {
    List<Future<HttpResponse<Buffer>>> send();
  }

  /** Holds {@code asset}'s row lock until both requests wait for it, then lets them go. */
  private List<HttpResponse<Buffer>> race(String asset, Requests requests) {
    SqlConnection conn = server.app.pool().getConnection().await();
    try {
      Transaction tx = conn.begin().await();
      conn.preparedQuery("SELECT id FROM assets WHERE id = $1 FOR UPDATE").execute(Tuple.of(uuid(Ids.ASSET, asset))).await();
      List<Future<HttpResponse<Buffer>>> sent = requests.send();
      await().atMost(Duration.ofSeconds(10)).until(() -> server.count("""
        SELECT count(*) FROM pg_stat_activity
         WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%FOR UPDATE%'""") >= 2);
      tx.commit().await();
      Future.join(sent).await(20, java.util.concurrent.TimeUnit.SECONDS);
      return sent.stream().map(Future::result).toList();
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError(e);
    } finally {
      conn.close().await();
    }
  }

  private static HttpResponse<Buffer> oneWinner(List<HttpResponse<Buffer>> responses, int success) {
    List<Integer> statuses = responses.stream().map(HttpResponse::statusCode).sorted().toList();
    assertEquals(List.of(success, 409), statuses, responses.stream().map(HttpResponse::bodyAsString).toList().toString());
    HttpResponse<Buffer> lost = responses.stream().filter(r -> r.statusCode() == 409).findFirst().orElseThrow();
    assertTrue(lost.bodyAsJsonObject().getValue("detail") instanceof String, lost.bodyAsString());
    return responses.stream().filter(r -> r.statusCode() == success).findFirst().orElseThrow();
  }

  private Future<HttpResponse<Buffer>> send(HttpMethod method, String uri, JsonObject body) {
    return server.client.request(method, uri).bearerTokenAuthentication(alice.key()).sendJsonObject(body);
  }

  private static String asset(User user, String lib) {
    return server.uploadRandom(user, lib).getString("id");
  }

  private static HttpResponse<Buffer> create(User user, String lib, String primary, List<String> assets) {
    JsonObject body = new JsonObject().put("asset_ids", new JsonArray(new ArrayList<>(assets)));
    if (lib != null) {
      body.put("library_id", lib);
    }
    if (primary != null) {
      body.put("primary_asset_id", primary);
    }
    return server.post("/api/stacks", user.key(), body);
  }

  private static String createOk(User user, String lib, String primary, String... assets) {
    HttpResponse<Buffer> res = create(user, lib, primary, List.of(assets));
    assertEquals(201, res.statusCode(), res.bodyAsString());
    return res.bodyAsJsonObject().getString("id");
  }

  private static JsonObject add(User user, String stack, String... assets) {
    HttpResponse<Buffer> res = server.post("/api/stacks/" + stack + "/assets", user.key(), assetIdsBody(assets));
    assertEquals(200, res.statusCode(), res.bodyAsString());
    return res.bodyAsJsonObject();
  }

  private static HttpResponse<Buffer> remove(User user, String stack, String... assets) {
    return server.call(HttpMethod.DELETE, "/api/stacks/" + stack + "/assets", user.key(), assetIdsBody(assets));
  }

  private static HttpResponse<Buffer> patch(User user, String stack, String primary) {
    return server.call(HttpMethod.PATCH, "/api/stacks/" + stack, user.key(), new JsonObject().put("primary_asset_id", primary));
  }

  private static JsonObject cover(User user, String stack, String primary) {
    HttpResponse<Buffer> res = patch(user, stack, primary);
    assertEquals(200, res.statusCode(), res.bodyAsString());
    return res.bodyAsJsonObject();
  }

  private static JsonObject assetIdsBody(String... ids) {
    return new JsonObject().put("asset_ids", new JsonArray(List.of((Object[]) ids)));
  }

  private static JsonObject get(User user, String uri) {
    HttpResponse<Buffer> res = server.get(uri, user.key());
    assertEquals(200, res.statusCode(), uri + ": " + res.bodyAsString());
    return res.bodyAsJsonObject();
  }

  private static Set<String> assetIds(User user, String uri) {
    return get(user, uri + (uri.contains("?") ? "&" : "?") + "state=all&limit=200").getJsonArray("data").stream()
      .map(o -> ((JsonObject) o).getString("id")).collect(Collectors.toSet());
  }

  private static List<String> ids(JsonObject page) {
    return page.getJsonArray("data").stream().map(o -> ((JsonObject) o).getString("id")).toList();
  }

  /** The library's events after {@code cursor}, in order. */
  private static List<JsonObject> events(User user, String lib, String cursor) {
    return get(user, "/api/events?library_id=" + lib + "&limit=200&after_cursor=" + cursor).getJsonArray("data").stream()
      .map(o -> (JsonObject) o).toList();
  }

  private static long eventCount() {
    return server.count("SELECT count(*) FROM events");
  }

  private static long eventCursor() {
    return server.count("SELECT coalesce(max(id), 0) FROM events");
  }

  private static void setOrigin(String stack, String origin) {
    // What the burst detector would have made; eucalypt has no detector yet, so the test plants it.
    server.sql("UPDATE stacks SET origin = $2 WHERE id = $1", uuid(Ids.STACK, stack), origin);
  }

  private static String scopedKey(User user, String lib) {
    HttpResponse<Buffer> res = server.post("/api/api-keys/", user.key(), new JsonObject().put("name", "scoped")
      .put("actions", new JsonArray().add("read").add("write").add("delete").add("delete_permanently"))
      .put("library_scope_mode", "selected_libraries").put("library_ids", new JsonArray().add(lib)));
    assertEquals(201, res.statusCode(), res.bodyAsString());
    return res.bodyAsJsonObject().getString("key");
  }

  private static java.util.UUID uuid(Ids type, String id) {
    return type.parse(id).orElseThrow();
  }

  private static void assertStatus(int expected, HttpResponse<Buffer> res) {
    assertEquals(expected, res.statusCode(), res.bodyAsString());
  }

  private static void assertValidation(HttpResponse<Buffer> res, String field) {
    assertEquals(422, res.statusCode(), res.bodyAsString());
    JsonArray detail = res.bodyAsJsonObject().getJsonArray("detail");
    Set<Object> fields = new HashSet<>();
    detail.forEach(d -> {
      JsonArray loc = ((JsonObject) d).getJsonArray("loc");
      fields.add(loc.getValue(loc.size() - 1));
      fields.add(loc.size() > 1 ? loc.getValue(1) : null);
    });
    assertTrue(fields.contains(field), field + " not in " + detail.encode());
    assertNotEquals(0, detail.size());
  }
}
