package org.eucalypt.person;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.eucalypt.id.Ids;
import org.eucalypt.support.ServerExtension;
import org.eucalypt.support.TestServer;
import org.eucalypt.support.TestServer.User;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.eucalypt.person.PeopleTesting.assertStatus;
import static org.eucalypt.person.PeopleTesting.assertValidation;
import static org.eucalypt.person.PeopleTesting.ids;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Faces over HTTP against real PostgreSQL: manual boxes validated against the asset's size,
 * assignment and detachment, delete (the thumbnail moves on), list filters and cursor, the
 * {@code include=faces|people} parts of assets, and the {@code person_ids}/{@code person_id}
 * filters of asset lists and counts. Every response is checked against openapi.yaml.
 */
@ExtendWith(ServerExtension.class)
class FaceApiTest {
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
  void aManualFaceIsABoxInsideTheAssetsPixels() {
    String lib = server.createLibrary(alice, "Photos");
    String photo = t.photo(alice, lib);
    JsonObject asset = t.get(alice, "/api/assets/" + photo);
    assertEquals(64, asset.getInteger("width"));
    assertEquals(48, asset.getInteger("height"));
    String person = t.person(alice, lib, "Alice").getString("id");
    long cursor = t.eventCursor();

    // The box may touch the far edges exactly.
    HttpResponse<Buffer> res = t.createFace(alice, lib, photo, 14, 8, 50, 40, person);
    assertStatus(201, res);
    JsonObject face = res.bodyAsJsonObject();
    assertTrue(Ids.FACE.parse(face.getString("id")).isPresent());
    assertEquals("manual", face.getString("source"));
    assertEquals(photo, face.getString("asset_id"));
    assertEquals(person, face.getString("person_id"));
    assertEquals(new JsonObject().put("x", 14).put("y", 8).put("w", 50).put("h", 40), face.getJsonObject("bounding_box"));
    assertNull(face.getValue("confidence"));
    assertEquals(face, t.get(alice, "/api/faces/" + face.getString("id")));
    assertEquals(face, t.get(alice, "/api/faces/" + face.getString("id") + "?library_id=" + lib));
    List<JsonObject> events = t.events(alice, lib, cursor, "face");
    assertEquals(1, events.size());
    assertEquals("face_created", events.get(0).getString("event_type"));
    assertEquals(new JsonObject().put("asset_id", photo).put("person_id", person), events.get(0).getJsonObject("payload"));
  }

  @Test
  void aBoxOutsideTheAssetOrOnAnAssetOfUnknownSizeIs422AndChangesNothing() {
    String lib = server.createLibrary(alice, "Photos");
    String photo = t.photo(alice, lib);
    String undecodable = server.uploadRandom(alice, lib).getString("id");
    assertNull(t.get(alice, "/api/assets/" + undecodable).getValue("width"));
    long cursor = t.eventCursor();

    for (int[] box : List.of(new int[] {15, 0, 50, 10}, new int[] {0, 9, 10, 40}, new int[] {64, 0, 1, 1},
      new int[] {Integer.MAX_VALUE, 0, Integer.MAX_VALUE, 1})) {
      HttpResponse<Buffer> res = t.createFace(alice, lib, photo, box[0], box[1], box[2], box[3], null);
      assertValidation(res, "bounding_box");
      assertTrue(res.bodyAsString().contains("64x48"), res.bodyAsString());
    }
    HttpResponse<Buffer> res = t.createFace(alice, lib, undecodable, 0, 0, 1, 1, null);
    assertValidation(res, "bounding_box");
    assertTrue(res.bodyAsString().contains("no known width and height"), res.bodyAsString());
    // The schema: negative origins, empty boxes, missing sides.
    assertValidation(t.createFace(alice, lib, photo, -1, 0, 10, 10, null), "x");
    assertValidation(t.createFace(alice, lib, photo, 0, 0, 0, 10, null), "w");
    assertValidation(server.post("/api/faces", alice.key(), new JsonObject().put("asset_id", photo)
      .put("bounding_box", new JsonObject().put("x", 0).put("y", 0).put("w", 5))), "h");
    // Unknown assets and people, bob's asset: 404. A trashed asset: 400.
    assertStatus(404, t.createFace(alice, lib, "asset_nope", 0, 0, 1, 1, null));
    assertStatus(404, t.createFace(alice, lib, photo, 0, 0, 1, 1, "person_nope"));
    String bobs = t.photo(bob, server.createLibrary(bob, "Bob's"));
    assertStatus(404, t.createFace(alice, lib, bobs, 0, 0, 1, 1, null));
    String trashed = t.photo(alice, lib);
    t.trashAssets(alice, lib, trashed);
    assertStatus(400, t.createFace(alice, lib, trashed, 0, 0, 1, 1, null));

    assertEquals(0, server.count("SELECT count(*) FROM faces WHERE library_id = $1", PeopleTesting.uuid(Ids.LIBRARY, lib)));
    assertEquals(List.of(), t.events(alice, lib, cursor, "face"));
  }

  @Test
  void assignDetachAndDelete() {
    String lib = server.createLibrary(alice, "Photos");
    String other = server.createLibrary(alice, "Other");
    String photo = t.photo(alice, lib);
    String ann = t.person(alice, lib, "Ann").getString("id");
    String bea = t.person(alice, lib, "Bea").getString("id");
    String elsewhere = t.person(alice, other, "Elsewhere").getString("id");
    String f1 = t.face(alice, lib, photo, null).getString("id");
    String f2 = t.face(alice, lib, photo, null).getString("id");
    long cursor = t.eventCursor();

    HttpResponse<Buffer> res = t.patch(alice, "/api/faces/" + f1, new JsonObject().put("person_id", ann));
    assertStatus(200, res);
    assertEquals(ann, res.bodyAsJsonObject().getString("person_id"));
    assertStatus(200, t.patch(alice, "/api/faces/" + f2 + "?library_id=" + lib, new JsonObject().put("person_id", ann)));
    // A person of another library, an unknown one, the face under the wrong library: 404.
    assertStatus(404, t.patch(alice, "/api/faces/" + f1, new JsonObject().put("person_id", elsewhere)));
    assertStatus(404, t.patch(alice, "/api/faces/" + f1, new JsonObject().put("person_id", "person_nope")));
    assertStatus(404, t.patch(alice, "/api/faces/" + f1 + "?library_id=" + other, new JsonObject().put("person_id", bea)));
    // Without person_id nothing changes.
    assertEquals(ann, t.patch(alice, "/api/faces/" + f1, new JsonObject()).bodyAsJsonObject().getString("person_id"));

    JsonObject annNow = t.get(alice, "/api/people/" + ann);
    assertEquals(1, annNow.getLong("asset_count"), "two faces on one photo count it once");
    assertEquals(f1, annNow.getString("thumbnail_face_id"), "the oldest live face");
    // Choose f2 as thumbnail, then delete it: the thumbnail moves on to f1.
    assertEquals(f2, t.patch(alice, "/api/people/" + ann, new JsonObject().put("thumbnail_face_id", f2))
      .bodyAsJsonObject().getString("thumbnail_face_id"));
    assertStatus(404, t.delete(alice, "/api/faces/" + f2 + "?library_id=" + other));
    assertStatus(200, t.delete(alice, "/api/faces/" + f2));
    assertEquals(404, t.status(alice, "/api/faces/" + f2));
    assertEquals(f1, t.get(alice, "/api/people/" + ann).getString("thumbnail_face_id"));
    assertEquals(PeopleTesting.uuid(Ids.FACE, f1), server.sql("SELECT thumbnail_face_id FROM people WHERE id = $1",
      PeopleTesting.uuid(Ids.PERSON, ann)).iterator().next().getUUID(0), "the stored thumbnail moved on");

    // Detach: the person is left with no faces.
    res = t.patch(alice, "/api/faces/" + f1, new JsonObject().putNull("person_id"));
    assertStatus(200, res);
    assertNull(res.bodyAsJsonObject().getValue("person_id"));
    assertEquals(0, t.get(alice, "/api/people/" + ann).getLong("asset_count"));

    List<String> events = t.events(alice, lib, cursor, "face,person").stream()
      .map(e -> e.getString("event_type") + ":" + e.getString("entity_id")).toList();
    assertEquals(List.of("face_updated:" + f1, "face_updated:" + f2, "person_updated:" + ann, "face_deleted:" + f2,
      "person_updated:" + ann, "face_updated:" + f1), events);
  }

  @Test
  void listFiltersAndPages() {
    String lib = server.createLibrary(alice, "Photos");
    String p1 = t.photo(alice, lib);
    String p2 = t.photo(alice, lib);
    String ann = t.person(alice, lib, "Ann").getString("id");
    String a = t.face(alice, lib, p1, ann).getString("id");
    String b = t.face(alice, lib, p2, null).getString("id");
    String c = t.face(alice, lib, p2, ann).getString("id");
    String base = "/api/faces?library_id=" + lib;

    assertEquals(List.of(c, b, a), ids(t.get(alice, base)), "newest first");
    assertEquals(List.of(c, b), ids(t.get(alice, base + "&asset_id=" + p2)));
    assertEquals(List.of(c, a), ids(t.get(alice, base + "&person_id=" + ann)));
    assertEquals(List.of(c), ids(t.get(alice, base + "&person_id=" + ann + "&asset_id=" + p2)));
    assertEquals(List.of(b, a), ids(t.get(alice, base + "&ids=" + a + "&ids=" + b + ",face_nope")));
    assertEquals(List.of(c, b, a), ids(t.get(alice, "/api/faces?include=cluster_assignment")), "one library: optional");
    JsonObject first = t.get(alice, base + "&limit=2");
    assertEquals(List.of(c, b), ids(first));
    assertTrue(first.getBoolean("has_more"));
    JsonObject second = t.get(alice, base + "&limit=2&starting_after_id=" + b);
    assertEquals(List.of(a), ids(second));
    assertFalse(second.getBoolean("has_more"));
    assertValidation(server.get(base + "&include=people", alice.key()), "include");
    assertValidation(server.get(base + "&starting_after_id=person_x", alice.key()), "starting_after_id");
    assertStatus(404, server.get(base, bob.key()));

    // A trashed asset's faces leave the list, but are still listed for that asset by its id.
    t.trashAssets(alice, lib, p1);
    assertEquals(List.of(c, b), ids(t.get(alice, base)));
    assertEquals(List.of(a), ids(t.get(alice, base + "&asset_id=" + p1)));
    assertEquals(200, t.status(alice, "/api/faces/" + a));
  }

  @Test
  void assetsCarryTheirFacesAndPeopleAndFilterByPeople() {
    String lib = server.createLibrary(alice, "Photos");
    String p1 = t.photo(alice, lib);
    String p2 = t.photo(alice, lib);
    String p3 = t.photo(alice, lib);
    String ann = t.person(alice, lib, "Ann").getString("id");
    String bea = t.person(alice, lib, "Bea").getString("id");
    JsonObject f1 = t.face(alice, lib, p1, ann);
    JsonObject f2 = t.face(alice, lib, p2, ann);
    JsonObject f3 = t.face(alice, lib, p2, bea);
    JsonObject f4 = t.face(alice, lib, p2, ann);

    JsonObject one = t.get(alice, "/api/assets/" + p2 + "?include=faces,people");
    assertEquals(List.of(f2, f3, f4), one.getJsonArray("faces").stream().map(o -> (JsonObject) o).toList());
    List<JsonObject> people = one.getJsonArray("people").stream().map(o -> (JsonObject) o).toList();
    assertEquals(Set.of(ann, bea), people.stream().map(p -> p.getString("id")).collect(Collectors.toSet()),
      "each person once");
    assertEquals(2, people.size());
    assertEquals(t.get(alice, "/api/people/" + ann), people.stream().filter(p -> p.getString("id").equals(ann))
      .findFirst().orElseThrow());
    // Only the part asked for; an asset without faces answers [].
    JsonObject onlyFaces = t.get(alice, "/api/assets/" + p1 + "?include=faces");
    assertEquals(new JsonArray().add(f1), onlyFaces.getJsonArray("faces"));
    assertNull(onlyFaces.getValue("people"));
    JsonObject none = t.get(alice, "/api/assets/" + p3 + "?include=people&include=faces");
    assertEquals(new JsonArray(), none.getJsonArray("faces"));
    assertEquals(new JsonArray(), none.getJsonArray("people"));
    assertNull(t.get(alice, "/api/assets/" + p3).getValue("faces"));

    // A whole page at once.
    JsonObject page = t.get(alice, "/api/assets?library_id=" + lib + "&include=faces,people");
    for (Object o : page.getJsonArray("data")) {
      JsonObject a = (JsonObject) o;
      int faces = a.getString("id").equals(p2) ? 3 : a.getString("id").equals(p1) ? 1 : 0;
      assertEquals(faces, a.getJsonArray("faces").size(), a.encode());
    }

    // person_ids: every one named (intersection); unknown ids match nothing.
    String assets = "/api/assets?library_id=" + lib;
    assertEquals(Set.of(p1, p2), idSet(t.get(alice, assets + "&person_ids=" + ann)));
    assertEquals(Set.of(p2), idSet(t.get(alice, assets + "&person_ids=" + ann + "," + bea)));
    assertEquals(Set.of(p2), idSet(t.get(alice, assets + "&person_ids=" + ann + "&person_ids=" + bea)));
    assertEquals(Set.of(), idSet(t.get(alice, assets + "&person_ids=person_nope")));
    // Counts: person_ids, or the one person_id alias, not both.
    String counts = "/api/assets/counts?library_id=" + lib;
    assertEquals(2, total(t.get(alice, counts + "&person_ids=" + ann)));
    assertEquals(1, total(t.get(alice, counts + "&person_id=" + bea)));
    assertEquals(1, total(t.get(alice, counts + "&person_ids=" + ann + "," + bea)));
    assertEquals(3, total(t.get(alice, counts)));
    assertValidation(server.get(counts + "&person_id=" + bea + "&person_ids=" + ann, alice.key()), "person_id");
    // With an album filter too, both apply.
    HttpResponse<Buffer> made = server.post("/api/albums", alice.key(), new JsonObject().put("library_id", lib)
      .put("name", "Trip"));
    assertStatus(201, made);
    String album = made.bodyAsJsonObject().getString("id");
    assertStatus(200, server.post("/api/albums/" + album + "/assets", alice.key(),
      new JsonObject().put("asset_ids", new JsonArray().add(p2).add(p3))));
    assertEquals(Set.of(p2), idSet(t.get(alice, assets + "&person_ids=" + ann + "&album_id=" + album)));
    assertEquals(Set.of(p1), idSet(t.get(alice, assets + "&person_ids=" + ann + "&album_filter=not_in_album")));

    // A trashed asset leaves the filter's live list and its person's count.
    t.trashAssets(alice, lib, p1);
    assertEquals(Set.of(p2), idSet(t.get(alice, assets + "&person_ids=" + ann)));
    assertEquals(Set.of(p1), idSet(t.get(alice, assets + "&state=trashed&person_ids=" + ann)));
  }

  @Test
  void anotherUsersOrAnOutOfScopeKeysFacesAreNotFound() {
    String lib = server.createLibrary(alice, "Photos");
    String second = server.createLibrary(alice, "Second");
    String photo = t.photo(alice, lib);
    String face = t.face(alice, lib, photo, null).getString("id");
    User scoped = new User(alice.id(), t.scopedKey(alice, second));
    String bobsPerson = t.person(bob, server.createLibrary(bob, "Bob's"), "Bob").getString("id");

    for (User who : List.of(bob, scoped)) {
      assertEquals(404, t.status(who, "/api/faces/" + face));
      assertStatus(404, t.patch(who, "/api/faces/" + face, new JsonObject().putNull("person_id")));
      assertStatus(404, t.delete(who, "/api/faces/" + face));
      assertStatus(404, t.createFace(who, lib, photo, 0, 0, 1, 1, null));
    }
    // Alice cannot assign her face to bob's person.
    assertStatus(404, t.patch(alice, "/api/faces/" + face, new JsonObject().put("person_id", bobsPerson)));
    assertEquals(200, t.status(alice, "/api/faces/" + face));
  }

  private static Set<String> idSet(JsonObject page) {
    return Set.copyOf(ids(page));
  }

  private static long total(JsonObject counts) {
    return counts.getJsonArray("data").stream().mapToLong(o -> ((JsonObject) o).getLong("count")).sum();
  }
}
