package org.eucalypt.person;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
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

import static org.eucalypt.person.PeopleTesting.assertStatus;
import static org.eucalypt.person.PeopleTesting.ids;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * People and faces inside the trash lifecycle, against real PostgreSQL: a person's
 * {@code asset_count} and thumbnail follow trash and restore of single assets with no write; a
 * library's trash and restore leave its people and faces untouched and only hide them; every
 * permanent delete (one asset, several, empty-trash, the retention purge) takes the assets' faces
 * in its own transaction with their events, and moves thumbnails on; the drain purges faces with
 * their assets and then the people, batch by batch, and the library row last.
 */
@ExtendWith(VertxExtension.class)
class PeopleLifecycleTest {
  // A server per test: tests move the clock and run drains.
  private TestServer server;
  private PeopleTesting t;
  private User alice;

  @BeforeEach
  void boot(Vertx vertx) {
    server = TestServer.start(vertx);
    t = new PeopleTesting(server);
    alice = server.newUser();
  }

  @AfterEach
  void stop() {
    server.stop();
  }

  @Test
  void countAndThumbnailFollowTheLiveFacesThroughAssetTrashAndRestore() {
    String lib = server.createLibrary(alice, "Photos");
    String p1 = t.photo(alice, lib);
    String p2 = t.photo(alice, lib);
    String ann = t.person(alice, lib, "Ann").getString("id");
    String f1 = t.face(alice, lib, p1, ann).getString("id");
    String f2 = t.face(alice, lib, p2, ann).getString("id");
    assertStatus(200, t.patch(alice, "/api/people/" + ann, new JsonObject().put("thumbnail_face_id", f1)));
    JsonObject before = t.get(alice, "/api/people/" + ann);
    assertEquals(2, before.getLong("asset_count"));
    assertEquals(f1, before.getString("thumbnail_face_id"));
    String rows = rows();

    t.trashAssets(alice, lib, p1);
    JsonObject trashed = t.get(alice, "/api/people/" + ann);
    assertEquals(1, trashed.getLong("asset_count"));
    assertEquals(f2, trashed.getString("thumbnail_face_id"), "the chosen face is in the trash: the live one shows");
    assertEquals(List.of(ann), ids(t.get(alice, "/api/people?sort=asset_count_desc")));
    assertEquals(rows, rows(), "trashing an asset writes no face or person row");

    t.trashAssets(alice, lib, p2);
    assertEquals(0, t.get(alice, "/api/people/" + ann).getLong("asset_count"));
    assertEquals(null, t.get(alice, "/api/people/" + ann).getValue("thumbnail_face_id"));

    t.restoreAssets(alice, lib, p1, p2);
    assertEquals(before, t.get(alice, "/api/people/" + ann));
    assertEquals(rows, rows());
  }

  @Test
  void libraryTrashHidesPeopleAndFacesWithoutTouchingThemAndRestoreBringsThemBack() {
    String lib = server.createLibrary(alice, "Photos");
    String other = server.createLibrary(alice, "Other");
    String photo = t.photo(alice, lib);
    String ann = t.person(alice, lib, "Ann").getString("id");
    String bea = t.person(alice, lib, "Bea").getString("id");
    String face = t.face(alice, lib, photo, ann).getString("id");
    String kept = t.person(alice, other, "Kept").getString("id");
    JsonObject annBefore = t.get(alice, "/api/people/" + ann);
    JsonObject faceBefore = t.get(alice, "/api/faces/" + face);
    String rows = rows();

    assertStatus(200, server.post("/api/libraries/" + lib + "/trash", alice.key(), null));
    assertEquals(rows, rows(), "the trash is one row update");

    assertEquals(404, t.status(alice, "/api/people/" + ann));
    assertEquals(404, t.status(alice, "/api/faces/" + face));
    assertEquals(404, t.status(alice, "/api/people?library_id=" + lib));
    assertEquals(404, t.status(alice, "/api/faces?library_id=" + lib));
    assertStatus(404, t.patch(alice, "/api/people/" + ann, new JsonObject().put("name", "X")));
    assertStatus(404, t.patch(alice, "/api/faces/" + face, new JsonObject().putNull("person_id")));
    assertStatus(404, t.delete(alice, "/api/people/" + bea));
    assertStatus(404, t.delete(alice, "/api/faces/" + face));
    assertStatus(404, server.post("/api/people/" + ann + "/merge", alice.key(),
      new JsonObject().put("source_person_ids", new JsonArray().add(bea))));
    assertStatus(404, t.createFace(alice, lib, photo, 0, 0, 1, 1, null));
    assertStatus(404, t.createPerson(alice, new JsonObject().put("library_id", lib)));
    // With the other library the only live one, it is where library-less requests go.
    assertEquals(List.of(kept), ids(t.get(alice, "/api/people")));
    assertEquals(rows, rows(), "refused changes changed nothing");

    assertStatus(200, server.post("/api/libraries/" + lib + "/restore", alice.key(), null));
    assertEquals(annBefore, t.get(alice, "/api/people/" + ann));
    assertEquals(faceBefore, t.get(alice, "/api/faces/" + face));
    assertEquals(List.of(bea, ann), ids(t.get(alice, "/api/people?library_id=" + lib)));
  }

  @Test
  void everyPermanentDeleteTakesTheFacesWithTheirEvents() {
    String lib = server.createLibrary(alice, "Photos");
    String a = t.photo(alice, lib);
    String b = t.photo(alice, lib);
    String c = t.photo(alice, lib);
    String d = t.photo(alice, lib);
    String ann = t.person(alice, lib, "Ann").getString("id");
    String fa = t.face(alice, lib, a, ann).getString("id");
    String fb = t.face(alice, lib, b, ann).getString("id");
    String fc = t.face(alice, lib, c, null).getString("id");
    String fd = t.face(alice, lib, d, ann).getString("id");
    assertStatus(200, t.patch(alice, "/api/people/" + ann, new JsonObject().put("thumbnail_face_id", fa)));

    // One asset: its face goes, and the thumbnail it was moves on to Ann's oldest remaining face.
    long cursor = t.eventCursor();
    assertStatus(200, server.call(HttpMethod.DELETE, "/api/assets/" + a, alice.key(), null));
    assertEquals(List.of("asset_deleted:" + a, "face_deleted:" + fa, "person_updated:" + ann), kinds(lib, cursor));
    assertEquals(404, t.status(alice, "/api/faces/" + fa));
    JsonObject annNow = t.get(alice, "/api/people/" + ann);
    assertEquals(fb, annNow.getString("thumbnail_face_id"));
    assertEquals(2, annNow.getLong("asset_count"));

    // Several at once.
    cursor = t.eventCursor();
    assertStatus(200, server.call(HttpMethod.DELETE, "/api/assets?library_id=" + lib, alice.key(),
      new JsonObject().put("ids", new JsonArray().add(b).add(c))));
    // fb became the stored thumbnail when fa went, so it moves on again, to fd.
    assertEquals(Set.of("asset_deleted:" + b, "asset_deleted:" + c, "face_deleted:" + fb, "face_deleted:" + fc,
      "person_updated:" + ann), Set.copyOf(kinds(lib, cursor)));
    assertEquals(fd, t.get(alice, "/api/people/" + ann).getString("thumbnail_face_id"));

    // Empty-trash; an unassigned face with no thumbnail pointing at it moves nothing.
    String e = t.photo(alice, lib);
    String fe = t.face(alice, lib, e, null).getString("id");
    t.trashAssets(alice, lib, d, e);
    cursor = t.eventCursor();
    assertStatus(200, server.post("/api/assets/empty-trash?library_id=" + lib, alice.key(), null));
    assertEquals(Set.of("asset_deleted:" + d, "asset_deleted:" + e, "face_deleted:" + fd, "face_deleted:" + fe,
      "person_updated:" + ann), Set.copyOf(kinds(lib, cursor)));
    JsonObject alone = t.get(alice, "/api/people/" + ann);
    assertEquals(0, alone.getLong("asset_count"));
    assertEquals(null, alone.getValue("thumbnail_face_id"));
    assertEquals(0, server.count("SELECT count(*) FROM faces"));
    server.assertInvariants();
  }

  @Test
  void theRetentionPurgeTakesTheFacesOfTheAssetsItPurges() {
    String lib = server.createLibrary(alice, "Photos");
    String old = t.photo(alice, lib);
    String live = t.photo(alice, lib);
    String ann = t.person(alice, lib, "Ann").getString("id");
    String gone = t.face(alice, lib, old, ann).getString("id");
    String stays = t.face(alice, lib, live, ann).getString("id");
    assertStatus(200, t.patch(alice, "/api/people/" + ann, new JsonObject().put("thumbnail_face_id", gone)));
    t.trashAssets(alice, lib, old);
    Drain drain = server.drain(10);
    assertTrue(drain.purgeTrashedAssetsBatch().await().idle(), "nothing is due yet");

    server.clock.advance(server.app.settings().assetTrashRetention().plus(Duration.ofDays(1)));
    long cursor = t.eventCursor();
    assertEquals(1, drain.purgeTrashedAssetsBatch().await().purgedAssets().size());
    assertEquals(List.of("asset_deleted:" + old, "face_deleted:" + gone, "person_updated:" + ann), kinds(lib, cursor));
    assertEquals(List.of(stays), ids(t.get(alice, "/api/faces?library_id=" + lib)));
    assertEquals(PeopleTesting.uuid(Ids.FACE, stays), server.sql("SELECT thumbnail_face_id FROM people").iterator().next()
      .getUUID(0));
    server.assertInvariants();
  }

  @Test
  void theDrainPurgesFacesWithTheirAssetsThenThePeopleBatchByBatchAndTheLibraryLast() {
    String lib = server.createLibrary(alice, "Doomed");
    String keep = server.createLibrary(alice, "Kept");
    List<String> people = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      people.add(t.person(alice, lib, "P" + i).getString("id"));
    }
    List<String> faces = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String photo = t.photo(alice, lib);
      faces.add(t.face(alice, lib, photo, people.get(i % 2)).getString("id"));
      faces.add(t.face(alice, lib, photo, null).getString("id"));
    }
    String keptPerson = t.person(alice, keep, "Kept").getString("id");
    String keptFace = t.face(alice, keep, t.photo(alice, keep), keptPerson).getString("id");
    JsonObject keptBefore = t.get(alice, "/api/people/" + keptPerson);

    assertStatus(200, server.post("/api/libraries/" + lib + "/trash", alice.key(), null));
    assertStatus(200, server.call(HttpMethod.DELETE, "/api/libraries/" + lib, alice.key(), null));
    UUID library = Ids.LIBRARY.parse(lib).orElseThrow();
    Drain drain = server.drain(2);
    List<String> steps = new ArrayList<>();
    Drain.Batch batch;
    do {
      batch = drain.purgeLibraryBatch().await();
      assertTrue(batch.purgedAssets().size() <= 2);
      steps.add(batch.purgedAssets().size() + "/" + server.count("SELECT count(*) FROM people WHERE library_id = $1", library));
      // After every batch: no face outlives its asset, no thumbnail points at a face that is gone.
      assertEquals(0, server.count("SELECT count(*) FROM faces f WHERE NOT EXISTS (SELECT 1 FROM assets a WHERE a.id = f.asset_id)"));
      assertEquals(0, server.count("""
        SELECT count(*) FROM people p WHERE p.thumbnail_face_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM faces f WHERE f.id = p.thumbnail_face_id)"""));
      server.assertInvariants();
    } while (!batch.libraryRemoved());
    // Assets two at a time; then the five people two at a time; the row with the last of them.
    assertEquals(List.of("2/5", "2/5", "1/3", "0/1", "0/0"), steps);

    assertEquals(0, server.count("SELECT count(*) FROM faces WHERE library_id = $1", library));
    assertEquals(0, server.count("SELECT count(*) FROM people WHERE library_id = $1", library));
    assertEquals(0, server.count("SELECT count(*) FROM libraries WHERE id = $1", library));
    assertEquals(10, server.count("SELECT count(*) FROM events WHERE event_type = 'face_deleted' AND entity_id = ANY($1)",
      (Object) faces.toArray(String[]::new)));
    assertEquals(5, server.count("SELECT count(*) FROM events WHERE event_type = 'person_deleted' AND entity_id = ANY($1)",
      (Object) people.toArray(String[]::new)));
    assertEquals(404, t.status(alice, "/api/people/" + people.get(0)));
    assertEquals(keptBefore, t.get(alice, "/api/people/" + keptPerson));
    assertEquals(200, t.status(alice, "/api/faces/" + keptFace));
  }

  @Test
  void aRestoreBetweenDrainBatchesBringsBackConsistentPeople() {
    String lib = server.createLibrary(alice, "Almost");
    String ann = t.person(alice, lib, "Ann").getString("id");
    List<String> photos = new ArrayList<>();
    List<String> faces = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      photos.add(t.photo(alice, lib));
      faces.add(t.face(alice, lib, photos.get(i), ann).getString("id"));
    }
    assertStatus(200, server.post("/api/libraries/" + lib + "/trash", alice.key(), null));
    assertStatus(200, server.call(HttpMethod.DELETE, "/api/libraries/" + lib, alice.key(), null));
    assertEquals(2, server.drain(2).purgeLibraryBatch().await().purgedAssets().size());
    assertStatus(200, server.post("/api/libraries/" + lib + "/restore", alice.key(), null));

    List<String> left = ids(t.get(alice, "/api/faces?library_id=" + lib));
    assertEquals(1, left.size());
    JsonObject face = t.get(alice, "/api/faces/" + left.get(0));
    assertEquals(200, t.status(alice, "/api/assets/" + face.getString("asset_id")), "no face points at a purged asset");
    JsonObject person = t.get(alice, "/api/people/" + ann);
    assertEquals(1, person.getLong("asset_count"));
    assertEquals(left.get(0), person.getString("thumbnail_face_id"));
  }

  /** Every people and faces row, as text: what trash and restore must leave alone. */
  private String rows() {
    JsonArray out = new JsonArray();
    server.sql("SELECT p.*::text FROM people p ORDER BY id").forEach(r -> out.add(r.getValue(0).toString()));
    server.sql("SELECT f.*::text FROM faces f ORDER BY id").forEach(r -> out.add(r.getValue(0).toString()));
    return out.encode();
  }

  private List<String> kinds(String lib, long cursor) {
    return t.events(alice, lib, cursor, "asset,face,person").stream()
      .map(e -> e.getString("event_type") + ":" + e.getString("entity_id")).toList();
  }
}
