package org.eucalypt.person;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.serviceproxy.ServiceProxyBuilder;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
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
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.awaitility.Awaitility.await;
import static org.eucalypt.person.PeopleTesting.assertStatus;
import static org.eucalypt.person.PeopleTesting.assertValidation;
import static org.eucalypt.person.PeopleTesting.ids;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * People over HTTP against real PostgreSQL, as Gumnut's SDK documents them: create, read, update
 * (only the fields given), list with its filters, sorts and cursor, delete (faces stay,
 * unassigned), merge (faces move, sources go, all or nothing); events; another user's and an
 * out-of-scope key's 404s; and the bus door. Every response is checked against openapi.yaml.
 */
@ExtendWith(ServerExtension.class)
class PeopleApiTest {
  private static TestServer server;
  private static PeopleTesting t;
  private User alice;
  private User bob;

  @BeforeAll
  static void start(TestServer started) {
    server = started;
    t = new PeopleTesting(started);
  }

  @BeforeEach
  void users() {
    alice = server.newUser();
    bob = server.newUser();
  }

  @Test
  void createReadUpdateOnlyWhatIsGiven() {
    String lib = server.createLibrary(alice, "Photos");
    long cursor = t.eventCursor();
    HttpResponse<Buffer> res = t.createPerson(alice, new JsonObject().put("library_id", lib).put("name", "Alice")
      .put("birth_date", "1990-04-01").put("is_favorite", true));
    assertStatus(201, res);
    JsonObject alicePerson = res.bodyAsJsonObject();
    String id = alicePerson.getString("id");
    assertTrue(Ids.PERSON.parse(id).isPresent(), id);
    assertEquals("Alice", alicePerson.getString("name"));
    assertEquals("1990-04-01", alicePerson.getString("birth_date"));
    assertEquals(true, alicePerson.getBoolean("is_favorite"));
    assertEquals(false, alicePerson.getBoolean("is_hidden"));
    assertEquals(0, alicePerson.getLong("asset_count"));
    assertNull(alicePerson.getValue("thumbnail_face_id"));
    assertEquals(lib, alicePerson.getString("library_id"));
    assertEquals(alicePerson, t.get(alice, "/api/people/" + id));

    // With one live library, library_id may be left out; unnamed people are fine.
    JsonObject unnamed = t.person(alice, null, null);
    assertNull(unnamed.getValue("name"));
    assertEquals(lib, unnamed.getString("library_id"));

    // Only what is given changes; null clears the name and birth date.
    res = t.patch(alice, "/api/people/" + id, new JsonObject().put("is_hidden", true));
    assertStatus(200, res);
    JsonObject updated = res.bodyAsJsonObject();
    assertEquals("Alice", updated.getString("name"));
    assertEquals("1990-04-01", updated.getString("birth_date"));
    assertEquals(true, updated.getBoolean("is_hidden"));
    assertEquals(true, updated.getBoolean("is_favorite"));
    // An empty body changes nothing and records nothing.
    assertEquals(updated, t.patch(alice, "/api/people/" + id, new JsonObject()).bodyAsJsonObject());
    res = t.patch(alice, "/api/people/" + id, new JsonObject().putNull("name").putNull("birth_date"));
    assertStatus(200, res);
    assertNull(res.bodyAsJsonObject().getValue("name"));
    assertNull(res.bodyAsJsonObject().getValue("birth_date"));
    assertEquals(true, res.bodyAsJsonObject().getBoolean("is_hidden"));

    List<JsonObject> events = t.events(alice, lib, cursor, "person");
    assertEquals(List.of("person_created", "person_created", "person_updated", "person_updated"),
      events.stream().map(e -> e.getString("event_type")).toList());
    assertEquals(id, events.get(0).getString("entity_id"));
    assertEquals(new JsonObject().put("is_hidden", true), events.get(2).getJsonObject("payload"));
  }

  @Test
  void badInputIsRefusedAndChangesNothing() {
    String lib = server.createLibrary(alice, "Photos");
    String id = t.person(alice, lib, "Alice").getString("id");
    String second = server.createLibrary(alice, "Second");
    long people = server.count("SELECT count(*) FROM people");
    long cursor = t.eventCursor();

    assertValidation(t.createPerson(alice, new JsonObject().put("library_id", lib).put("birth_date", "April")),
      "birth_date");
    assertValidation(t.createPerson(alice, new JsonObject().put("library_id", lib).put("is_favorite", "very")),
      "is_favorite");
    assertValidation(t.patch(alice, "/api/people/" + id, new JsonObject().put("birth_date", "2020-13-40")), "birth_date");
    // A thumbnail must be a face of the person's library.
    assertStatus(404, t.patch(alice, "/api/people/" + id, new JsonObject().put("thumbnail_face_id", "face_nope")));
    assertStatus(404, t.createPerson(alice, new JsonObject().put("library_id", lib)
      .put("thumbnail_face_id", Ids.FACE.format(java.util.UUID.randomUUID()))));
    // Another library of alice's makes library_id required; bob's library is not found.
    assertEquals(second, t.get(alice, "/api/libraries/" + second).getString("id"));
    assertStatus(400, t.createPerson(alice, new JsonObject().put("name", "X")));
    assertStatus(404, t.createPerson(bob, new JsonObject().put("library_id", lib)));
    // Unknown include, sort, name_filter: 422.
    assertValidation(server.get("/api/people?library_id=" + lib + "&include=faces", alice.key()), "include");
    assertValidation(server.get("/api/people?library_id=" + lib + "&sort=age", alice.key()), "sort");
    assertValidation(server.get("/api/people?library_id=" + lib + "&sort=name_asc&name_filter=unnamed", alice.key()),
      "sort");
    assertValidation(server.get("/api/people?library_id=" + lib + "&starting_after_id=face_x", alice.key()),
      "starting_after_id");

    assertEquals(people, server.count("SELECT count(*) FROM people"));
    assertEquals(cursor, t.eventCursor(), "a refused request wrote events");
    assertEquals("Alice", t.get(alice, "/api/people/" + id).getString("name"));
  }

  @Test
  void listFiltersSortsAndPages() {
    String lib = server.createLibrary(alice, "Photos");
    String p1 = t.photo(alice, lib);
    String p2 = t.photo(alice, lib);
    String ann = t.person(alice, lib, "Ann").getString("id");
    String bea = t.person(alice, lib, "beatrice").getString("id");
    String cal = t.person(alice, lib, "Cal").getString("id");
    String nobody = t.person(alice, lib, null).getString("id");
    // Cal is on two photos, Ann on one, Beatrice on none.
    t.face(alice, lib, p1, cal);
    t.face(alice, lib, p2, cal);
    t.face(alice, lib, p2, ann);
    String base = "/api/people?library_id=" + lib;

    assertEquals(List.of(cal, bea, ann), ids(t.get(alice, base)), "named, newest first by default");
    assertEquals(List.of(nobody, cal, bea, ann), ids(t.get(alice, base + "&name_filter=all")));
    assertEquals(List.of(nobody), ids(t.get(alice, base + "&name_filter=unnamed")));
    assertEquals(List.of(ann, bea, cal), ids(t.get(alice, base + "&sort=created_at_asc")));
    assertEquals(List.of(ann, bea, cal, nobody), ids(t.get(alice, base + "&sort=name_asc&name_filter=all")),
      "unnamed people sort last");
    assertEquals(List.of(cal, bea, ann, nobody), ids(t.get(alice, base + "&sort=name_desc&name_filter=all")));
    assertEquals(List.of(cal, ann, bea), ids(t.get(alice, base + "&sort=asset_count_desc")));
    assertEquals(List.of(bea, ann, cal), ids(t.get(alice, base + "&sort=asset_count_asc")));
    assertEquals(List.of(bea), ids(t.get(alice, base + "&name=EATR")));
    assertEquals(List.of(), ids(t.get(alice, base + "&name=_")), "a LIKE wildcard in the name is matched literally");
    // Looked up by id, unnamed people are included.
    assertEquals(List.of(nobody, ann), ids(t.get(alice, base + "&ids=" + ann + "," + nobody + ",person_nope")));
    // Who is in this photo?
    assertEquals(List.of(cal, ann), ids(t.get(alice, base + "&asset_id=" + p2)));
    assertEquals(List.of(cal), ids(t.get(alice, base + "&asset_id=" + p1)));
    // Who is in this album: p1 only, so Cal; unknown albums match nobody.
    HttpResponse<Buffer> made = server.post("/api/albums", alice.key(), new JsonObject().put("library_id", lib)
      .put("name", "Trip"));
    assertStatus(201, made);
    String album = made.bodyAsJsonObject().getString("id");
    assertStatus(200, server.post("/api/albums/" + album + "/assets", alice.key(),
      new JsonObject().put("asset_ids", new JsonArray().add(p1))));
    assertEquals(List.of(cal), ids(t.get(alice, base + "&album_id=" + album)));
    assertEquals(List.of(), ids(t.get(alice, base + "&album_id=album_nope")));

    // Cursor pages, in every sort, neither skip nor repeat.
    for (String sort : List.of("created_at_desc", "name_asc", "asset_count_desc")) {
      JsonObject first = t.get(alice, base + "&name_filter=all&limit=3&sort=" + sort);
      assertTrue(first.getBoolean("has_more"));
      List<String> all = ids(t.get(alice, base + "&name_filter=all&sort=" + sort));
      JsonObject second = t.get(alice, base + "&name_filter=all&limit=3&sort=" + sort + "&starting_after_id="
        + ids(first).get(2));
      assertFalse(second.getBoolean("has_more"));
      List<String> paged = new java.util.ArrayList<>(ids(first));
      paged.addAll(ids(second));
      assertEquals(all, paged, sort);
    }
    assertEquals(2, t.get(alice, "/api/people/" + cal).getLong("asset_count"));
  }

  @Test
  void deleteLeavesTheFacesUnassigned() {
    String lib = server.createLibrary(alice, "Photos");
    String photo = t.photo(alice, lib);
    String person = t.person(alice, lib, "Alice").getString("id");
    String face = t.face(alice, lib, photo, person).getString("id");
    long cursor = t.eventCursor();

    assertStatus(200, t.delete(alice, "/api/people/" + person));
    assertEquals(404, t.status(alice, "/api/people/" + person));
    assertStatus(404, t.delete(alice, "/api/people/" + person));
    JsonObject left = t.get(alice, "/api/faces/" + face);
    assertNull(left.getValue("person_id"));
    List<JsonObject> events = t.events(alice, lib, cursor, "person,face");
    assertEquals(List.of("face_updated:" + face, "person_deleted:" + person),
      events.stream().map(e -> e.getString("event_type") + ":" + e.getString("entity_id")).toList());
  }

  @Test
  void mergeMovesEveryFaceAndDeletesTheSourcesAtomically() {
    String lib = server.createLibrary(alice, "Photos");
    String other = server.createLibrary(alice, "Other");
    String p1 = t.photo(alice, lib);
    String p2 = t.photo(alice, lib);
    String target = t.person(alice, lib, "Alice").getString("id");
    String s1 = t.person(alice, lib, "Al").getString("id");
    String s2 = t.person(alice, lib, null).getString("id");
    String elsewhere = t.person(alice, other, "Elsewhere").getString("id");
    String f1 = t.face(alice, lib, p1, s1).getString("id");
    String f2 = t.face(alice, lib, p2, s2).getString("id");
    String f3 = t.face(alice, lib, p2, target).getString("id");

    // A source of another library, an unknown one, bob's: 404 and nothing moves.
    long cursor = t.eventCursor();
    assertStatus(404, merge(alice, target, s1, elsewhere));
    assertStatus(404, merge(alice, target, s1, "person_nope"));
    assertStatus(404, merge(bob, target, s1));
    assertValidation(merge(alice, target, target), "source_person_ids");
    assertValidation(server.post("/api/people/" + target + "/merge", alice.key(),
      new JsonObject().put("source_person_ids", new JsonArray())), "source_person_ids");
    assertEquals(s1, t.get(alice, "/api/faces/" + f1).getString("person_id"));
    assertEquals(200, t.status(alice, "/api/people/" + s1));
    assertEquals(cursor, t.eventCursor());

    HttpResponse<Buffer> res = merge(alice, target, s1, s2);
    assertStatus(200, res);
    JsonObject merged = res.bodyAsJsonObject();
    assertEquals(target, merged.getString("id"));
    assertEquals("Alice", merged.getString("name"));
    assertEquals(2, merged.getLong("asset_count"));
    for (String f : List.of(f1, f2, f3)) {
      assertEquals(target, t.get(alice, "/api/faces/" + f).getString("person_id"));
    }
    assertEquals(404, t.status(alice, "/api/people/" + s1));
    assertEquals(404, t.status(alice, "/api/people/" + s2));
    List<String> events = t.events(alice, lib, cursor, "person,face").stream()
      .map(e -> e.getString("event_type") + ":" + e.getString("entity_id")).toList();
    assertTrue(events.containsAll(List.of("face_updated:" + f1, "face_updated:" + f2, "person_deleted:" + s1,
      "person_deleted:" + s2, "person_updated:" + target)), events.toString());
    assertEquals(5, events.size(), events.toString());
  }

  @Test
  void anotherUsersOrAnOutOfScopeKeysPeopleAreNotFound() {
    String lib = server.createLibrary(alice, "Photos");
    String second = server.createLibrary(alice, "Second");
    String person = t.person(alice, lib, "Alice").getString("id");
    String scoped = t.scopedKey(alice, second);
    User scopedAlice = new User(alice.id(), scoped);

    for (User who : List.of(bob, scopedAlice)) {
      assertEquals(404, t.status(who, "/api/people/" + person));
      assertStatus(404, t.patch(who, "/api/people/" + person, new JsonObject().put("name", "Mallory")));
      assertStatus(404, t.delete(who, "/api/people/" + person));
      assertStatus(404, merge(who, person, t.person(alice, lib, "x").getString("id")));
    }
    assertStatus(404, server.get("/api/people?library_id=" + lib, scoped));
    assertEquals(List.of(), ids(t.get(scopedAlice, "/api/people?library_id=" + second)));
    assertEquals("Alice", t.get(alice, "/api/people/" + person).getString("name"));

    // The bus door: the key's own caller, 404 for another user, 403 without the action.
    PeopleService mine = bus(alice.key());
    assertEquals(person, mine.getPerson(null, person).await().id());
    assertEquals(DomainException.Kind.NOT_FOUND, kindOf(() -> bus(bob.key()).getPerson(null, person)));
    assertEquals(DomainException.Kind.FORBIDDEN, kindOf(() -> bus(readOnlyKey(alice)).deletePerson(null, person)));
    assertEquals(DomainException.Kind.UNAUTHENTICATED, kindOf(() -> bus("eu_nonsense").getPerson(null, person)));
    assertEquals(200, t.status(alice, "/api/people/" + person));
  }

  /**
   * Two merges take the same source into different people at the same moment: exactly one gets
   * it, with every face; the other finds it gone (404) and changes nothing. The moment is made
   * certain by holding the source's row lock in a transaction of the test's own until both wait.
   */
  @Test
  void twoMergesOfOneSourceLetExactlyOneHaveIt() {
    String lib = server.createLibrary(alice, "Photos");
    String photo = t.photo(alice, lib);
    String left = t.person(alice, lib, "Left").getString("id");
    String right = t.person(alice, lib, "Right").getString("id");
    String source = t.person(alice, lib, "Source").getString("id");
    String f1 = t.face(alice, lib, photo, source).getString("id");
    String f2 = t.face(alice, lib, photo, source).getString("id");

    List<HttpResponse<Buffer>> both;
    SqlConnection conn = server.app.pool().getConnection().await();
    try {
      Transaction tx = conn.begin().await();
      conn.preparedQuery("SELECT id FROM people WHERE id = $1 FOR UPDATE")
        .execute(Tuple.of(PeopleTesting.uuid(Ids.PERSON, source))).await();
      List<Future<HttpResponse<Buffer>>> sent = List.of(send(left, source), send(right, source));
      await().atMost(Duration.ofSeconds(10)).until(() -> server.count("""
        SELECT count(*) FROM pg_stat_activity
         WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%FOR UPDATE%'""") >= 2);
      tx.commit().await();
      Future.join(sent).await(20, TimeUnit.SECONDS);
      both = sent.stream().map(Future::result).toList();
    } catch (TimeoutException e) {
      throw new AssertionError(e);
    } finally {
      conn.close().await();
    }
    assertEquals(List.of(200, 404), both.stream().map(HttpResponse::statusCode).sorted().toList(),
      both.stream().map(HttpResponse::bodyAsString).toList().toString());
    String winner = both.stream().filter(r -> r.statusCode() == 200).findFirst().orElseThrow()
      .bodyAsJsonObject().getString("id");
    String loser = winner.equals(left) ? right : left;
    assertEquals(winner, t.get(alice, "/api/faces/" + f1).getString("person_id"));
    assertEquals(winner, t.get(alice, "/api/faces/" + f2).getString("person_id"));
    assertEquals(1, t.get(alice, "/api/people/" + winner).getLong("asset_count"));
    assertEquals(0, t.get(alice, "/api/people/" + loser).getLong("asset_count"));
    assertEquals(404, t.status(alice, "/api/people/" + source));
    assertEquals(1, server.count("SELECT count(*) FROM events WHERE event_type = 'person_deleted' AND entity_id = $1",
      source));
  }

  private Future<HttpResponse<Buffer>> send(String target, String source) {
    return server.client.request(io.vertx.core.http.HttpMethod.POST, "/api/people/" + target + "/merge")
      .bearerTokenAuthentication(alice.key())
      .sendJsonObject(new JsonObject().put("source_person_ids", new JsonArray().add(source)));
  }

  private static HttpResponse<Buffer> merge(User user, String target, String... sources) {
    return server.post("/api/people/" + target + "/merge", user.key(),
      new JsonObject().put("source_person_ids", new JsonArray(List.of((Object[]) sources))));
  }

  private static PeopleService bus(String key) {
    return new ServiceProxyBuilder(server.vertx).setAddress(PeopleService.ADDRESS)
      .setOptions(new DeliveryOptions().addHeader(BusDoor.AUTHORIZATION, "Bearer " + key))
      .build(PeopleService.class);
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
}
