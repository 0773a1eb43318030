package org.eucalypt.reliability;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.multipart.MultipartForm;
import io.vertx.sqlclient.Row;
import io.vertx.core.WorkerExecutor;
import org.eucalypt.drain.Drain;
import org.eucalypt.rendition.RenditionLimits;
import org.eucalypt.rendition.RenditionWorker;
import org.eucalypt.support.Prerequisite;
import org.eucalypt.support.ServerExtension;
import org.eucalypt.support.TestServer;
import org.eucalypt.support.TestServer.User;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Randomized interleavings, two server instances and two drains on one database and one store:
 * each round launches a random handful of trash, restore, expedite, upload, asset trash, restore
 * and delete, stacking, rendition tasks, album create, add, remove, cover and delete, people and
 * faces, and drain batches, all at once, then checks the invariants of DESIGN.md from SQL and the
 * store: counters equal rows (1), rows and files match, renditions' included (2), nothing of a
 * live library was purged (3: every drain deletion committed while its library's last state event
 * was a trash), a live library downloads byte for byte (4), a removed library left no row or file
 * (5); and what hangs off assets stays whole: no stack with fewer than two members, every finished
 * rendition task's renditions there while its asset lives, albums that follow their live assets,
 * hold only their own library's assets and agree with the feed (7), faces on their own library's
 * assets, and every person's thumbnail one of its own faces.
 *
 * <p>{@code -Dreliability.race.rounds=N} (1,000 under {@code -Preliability}, 40 by default);
 * {@code -Dreliability.seed=N} replays the choices (not the thread timing).
 */
@ExtendWith(ServerExtension.class)
class RaceFuzzTest {
  private static final int ROUNDS = Integer.getInteger("reliability.race.rounds", 40);

  private static TestServer a;
  private static TestServer b;
  private static Vertx otherVertx;
  private static User alice;
  private static WorkerExecutor renderersA;
  private static WorkerExecutor renderersB;
  private static RenditionWorker workerA;
  private static RenditionWorker workerB;

  @BeforeAll
  static void start(TestServer started) {
    a = started;
    otherVertx = Vertx.vertx();
    b = a.startAnotherInstance(otherVertx);
    alice = a.newUser();
    Prerequisite.requireTools("vips", "vipsheader");
    renderersA = a.vertx.createSharedWorkerExecutor("race-renditions-a", 1);
    renderersB = otherVertx.createSharedWorkerExecutor("race-renditions-b", 1);
    RenditionLimits limits = new RenditionLimits(1, java.time.Duration.ofSeconds(60), 100_000_000L);
    workerA = new RenditionWorker(a.vertx, a.app.pool(), a.app.blobs(), renderersA, a.clock, limits);
    workerB = new RenditionWorker(otherVertx, b.app.pool(), b.app.blobs(), renderersB, b.clock, limits);
  }

  /** Before the extension stops {@code a}, which drops the database they share. */
  @AfterAll
  static void stop() {
    renderersA.close().await();
    renderersB.close().await();
    b.stopInstance();
    otherVertx.close().await();
  }

  /** What the test knows: the bytes of each asset it uploaded, and its library. */
  private final Map<String, byte[]> bytes = new ConcurrentHashMap<>();
  private final Map<String, String> libraryOf = new ConcurrentHashMap<>();
  /** Assets a DELETE was sent for: their disappearance from a live library is no purge. */
  private final Set<String> deletedOnPurpose = ConcurrentHashMap.newKeySet();
  private final List<String> libraries = Collections.synchronizedList(new ArrayList<>());
  /** Albums the test made, with their library; and those a DELETE was sent for. */
  private final Map<String, String> albumLibrary = new ConcurrentHashMap<>();
  private final Map<String, String> personLibrary = new ConcurrentHashMap<>();
  private final Set<String> albumsDeletedOnPurpose = ConcurrentHashMap.newKeySet();

  @Test
  void randomInterleavingsKeepTheInvariants() {
    long seed = Long.getLong("reliability.seed", System.nanoTime());
    System.out.println("RaceFuzzTest seed=" + seed + " rounds=" + ROUNDS + " (replay: -Dreliability.seed=" + seed + ")");
    Random r = new Random(seed);
    Drain drainA = a.drain(3);
    Drain drainB = b.drain(3);
    Map<String, Integer> ops = new HashMap<>();
    for (int round = 0; round < ROUNDS; round++) {
      refill(r);
      List<Future<?>> running = new ArrayList<>();
      int n = 4 + r.nextInt(10);
      for (int i = 0; i < n; i++) {
        String op = pick(r, running, drainA, drainB);
        ops.merge(op, 1, Integer::sum);
      }
      Future.join(running).await();
      for (Future<?> f : running) {
        if (f.failed()) {
          fail("round " + round + " (seed " + seed + "): " + f.cause());
        }
      }
      try {
        check(r);
      } catch (AssertionError e) {
        throw new AssertionError("round " + round + " (seed " + seed + "): " + e.getMessage(), e);
      }
    }
    System.out.println("RaceFuzzTest operations: " + new java.util.TreeMap<>(ops) + "; memberships added: "
      + a.count("SELECT count(*) FROM events WHERE event_type = 'album_asset_added'") + ", removed: "
      + a.count("SELECT count(*) FROM events WHERE event_type = 'album_asset_removed'") + "; faces made: "
      + a.count("SELECT count(*) FROM events WHERE event_type = 'face_created'") + ", stacks made: "
      + a.count("SELECT count(*) FROM events WHERE event_type = 'stack_created'") + ", rendition tasks succeeded (of assets still there): "
      + a.count("SELECT count(*) FROM tasks WHERE status = 'success'"));
  }

  private static WebClient client(Random r) {
    return r.nextBoolean() ? a.client : b.client;
  }

  /** Keeps three or four libraries around, with a few assets each. */
  private void refill(Random r) {
    libraries.removeIf(lib -> a.get("/api/libraries/" + lib, alice.key()).statusCode() == 404);
    while (libraries.size() < 3 + r.nextInt(2)) {
      String lib = a.createLibrary(alice, "race");
      libraries.add(lib);
      List<String> uploaded = new ArrayList<>();
      for (int i = 0; i < 2 + r.nextInt(6); i++) {
        HttpResponse<Buffer> res = upload(r, lib).await();
        uploaded.add(res.bodyAsJsonObject().getString("id"));
      }
      // An album or two holding some of them, for the drain and the album operations to find.
      for (int i = 0; i < 1 + r.nextInt(2); i++) {
        HttpResponse<Buffer> made = a.post("/api/albums", alice.key(), new JsonObject().put("library_id", lib));
        assertEquals(201, made.statusCode(), made.bodyAsString());
        String album = made.bodyAsJsonObject().getString("id");
        albumLibrary.put(album, lib);
        JsonArray some = new JsonArray();
        uploaded.stream().filter(x -> r.nextBoolean()).forEach(some::add);
        if (!some.isEmpty()) {
          assertEquals(200, a.post("/api/albums/" + album + "/assets", alice.key(),
            new JsonObject().put("asset_ids", some)).statusCode());
        }
      }
    }
    // Albums whose library the drain removed are gone for good.
    albumLibrary.values().removeIf(lib -> !libraries.contains(lib));
    personLibrary.values().removeIf(lib -> !libraries.contains(lib));
  }

  private String anyLibrary(Random r) {
    return libraries.get(r.nextInt(libraries.size()));
  }

  private String anyAsset(Random r) {
    List<String> ids = new ArrayList<>(libraryOf.keySet());
    return ids.isEmpty() ? "asset_none" : ids.get(r.nextInt(ids.size()));
  }

  private String assetOf(Random r, String lib) {
    List<String> ids = libraryOf.entrySet().stream().filter(e -> e.getValue().equals(lib)).map(Map.Entry::getKey).toList();
    return ids.isEmpty() ? anyAsset(r) : ids.get(r.nextInt(ids.size()));
  }

  private String personOf(Random r, String lib) {
    List<String> ids = personLibrary.entrySet().stream().filter(e -> e.getValue().equals(lib)).map(Map.Entry::getKey).toList();
    return ids.isEmpty() ? null : ids.get(r.nextInt(ids.size()));
  }

  private String anyAlbum(Random r) {
    List<String> ids = new ArrayList<>(albumLibrary.keySet());
    return ids.isEmpty() ? "album_none" : ids.get(r.nextInt(ids.size()));
  }

  /** Launches one random operation; its future fails only on an answer that no interleaving allows. */
  private String pick(Random r, List<Future<?>> running, Drain drainA, Drain drainB) {
    String lib = anyLibrary(r);
    String op;
    Future<?> f;
    switch (r.nextInt(21)) {
      case 0 -> {
        op = "trash";
        f = expect(client(r).post("/api/libraries/" + lib + "/trash"), null, 200, 404);
      }
      case 1 -> {
        op = "restore";
        f = expect(client(r).post("/api/libraries/" + lib + "/restore"), null, 200, 404);
      }
      case 2 -> {
        op = "expedite";
        f = expect(client(r).delete("/api/libraries/" + lib), null, 200, 404, 409);
      }
      case 3, 4 -> {
        op = "upload";
        f = upload(r, lib);
      }
      case 5 -> {
        op = "trash assets";
        String asset = anyAsset(r);
        f = expect(client(r).post("/api/assets/trash").addQueryParam("library_id", libraryOf.getOrDefault(asset, lib)),
          new JsonObject().put("ids", new JsonArray().add(asset)), 200, 404);
      }
      case 6 -> {
        op = "restore assets";
        String asset = anyAsset(r);
        f = expect(client(r).post("/api/assets/restore").addQueryParam("library_id", libraryOf.getOrDefault(asset, lib)),
          new JsonObject().put("ids", new JsonArray().add(asset)), 200, 404);
      }
      case 7 -> {
        op = "delete asset";
        String asset = anyAsset(r);
        deletedOnPurpose.add(asset);
        f = expect(client(r).delete("/api/assets/" + asset), null, 200, 404);
      }
      case 11 -> {
        // Two assets the test uploaded to one library: a new stack, taking them from any stack
        // they were in (which may dissolve). 400: one is trashed; 404: gone; 409: a racing change.
        op = "stack";
        List<String> ids = assetsOf(lib);
        if (ids.size() < 2) {
          f = Future.succeededFuture();
        } else {
          Collections.shuffle(ids, r);
          f = expect(client(r).post("/api/stacks"), new JsonObject().put("library_id", lib)
            .put("asset_ids", new JsonArray().add(ids.get(0)).add(ids.get(1))), 201, 400, 404, 409);
        }
      }
      case 12, 13 -> {
        op = "rendition task";
        f = (r.nextBoolean() ? workerA : workerB).runOne();
      }
      case 14 -> {
        op = "create album";
        f = expect(client(r).post("/api/albums"), new JsonObject().put("library_id", lib), 201, 404).onSuccess(res -> {
          if (res.statusCode() == 201) {
            albumLibrary.put(res.bodyAsJsonObject().getString("id"), lib);
          }
        });
      }
      case 15 -> {
        op = "add to album";
        String album = anyAlbum(r);
        JsonArray ids = new JsonArray();
        for (int i = 0; i < 1 + r.nextInt(3); i++) {
          // Mostly the album's own library's assets, sometimes any (not found, as another library's).
          ids.add(r.nextInt(4) == 0 ? anyAsset(r) : assetOf(r, albumLibrary.getOrDefault(album, lib)));
        }
        f = expect(client(r).post("/api/albums/" + album + "/assets"), new JsonObject().put("asset_ids", ids), 200, 404);
      }
      case 16 -> {
        op = "remove from album";
        f = expect(client(r).delete("/api/albums/" + anyAlbum(r) + "/assets"),
          new JsonObject().put("asset_ids", new JsonArray().add(anyAsset(r))), 200, 404);
      }
      case 17 -> {
        op = "album cover";
        // 400: not a live asset of the album (any more).
        f = expect(client(r).patch("/api/albums/" + anyAlbum(r)),
          new JsonObject().put("album_cover_asset_id", anyAsset(r)), 200, 400, 404);
      }
      case 18 -> {
        op = "delete album";
        String album = anyAlbum(r);
        albumsDeletedOnPurpose.add(album);
        f = expect(client(r).delete("/api/albums/" + album), null, 200, 404)
          .onSuccess(res -> albumLibrary.remove(album));
      }
      case 19 -> {
        op = "person";
        f = expect(client(r).post("/api/people"), new JsonObject().put("library_id", lib).put("name", "p" + r.nextInt(100)),
          201, 404).onSuccess(res -> {
            if (res.statusCode() == 201) {
              personLibrary.put(res.bodyAsJsonObject().getString("id"), lib);
            }
          });
      }
      case 20 -> {
        // A face on one of the library's assets, for one of its people. 400: the asset is trashed;
        // 404: it, its person or its library is gone; 422: no known size (random bytes) or the box
        // does not fit; 409: a racing change.
        op = "face";
        String person = personOf(r, lib);
        JsonObject face = new JsonObject().put("library_id", lib).put("asset_id", assetOf(r, lib))
          .put("bounding_box", new JsonObject().put("x", r.nextInt(40)).put("y", r.nextInt(30)).put("w", 20).put("h", 20));
        if (person != null) {
          face.put("person_id", person);
        }
        f = expect(client(r).post("/api/faces"), face, 201, 400, 404, 409, 422);
      }
      case 8, 9 -> {
        op = "drain batch";
        f = (r.nextBoolean() ? drainA : drainB).runBatch();
      }
      default -> {
        op = "sweep";
        f = (r.nextBoolean() ? drainA : drainB).sweepDeletions(50);
      }
    }
    running.add(f);
    return op;
  }

  private Future<HttpResponse<Buffer>> expect(io.vertx.ext.web.client.HttpRequest<Buffer> req, JsonObject body,
                                              int... allowed) {
    req.bearerTokenAuthentication(alice.key());
    return (body == null ? req.send() : req.sendJsonObject(body)).compose(res -> {
      for (int s : allowed) {
        if (res.statusCode() == s) {
          return Future.succeededFuture(res);
        }
      }
      return Future.failedFuture(req.method() + " " + req.uri() + " answered " + res.statusCode() + " " + res.bodyAsString());
    });
  }

  private List<String> assetsOf(String lib) {
    List<String> ids = new ArrayList<>();
    libraryOf.forEach((asset, l) -> {
      if (l.equals(lib)) {
        ids.add(asset);
      }
    });
    return ids;
  }

  /** One upload in three a real photo, so rendition tasks make and record files while the rest races. */
  private Future<HttpResponse<Buffer>> upload(Random r, String lib) {
    byte[] content;
    if (r.nextInt(3) == 0) {
      content = photo(r);
    } else {
      content = new byte[200 + r.nextInt(3000)];
      r.nextBytes(content);
    }
    MultipartForm form = MultipartForm.create()
      .attribute("device_asset_id", "d" + r.nextLong()).attribute("device_id", "race")
      .attribute("file_created_at", "2024-05-01T10:00:00Z").attribute("file_modified_at", "2024-05-01T10:00:00Z")
      .binaryFileUpload("asset_data", "r.jpg", Buffer.buffer(content), "image/jpeg");
    var req = client(r).post("/api/assets").addQueryParam("library_id", lib);
    return req.bearerTokenAuthentication(alice.key()).sendMultipartForm(form).compose(res -> {
        if (res.statusCode() == 201) {
          String id = res.bodyAsJsonObject().getString("id");
          bytes.put(id, content);
          libraryOf.put(id, lib);
          return Future.succeededFuture(res);
        }
        // 404: the library was trashed first; never 507 nor 5xx.
        return res.statusCode() == 404 ? Future.succeededFuture(res)
          : Future.failedFuture("upload answered " + res.statusCode() + " " + res.bodyAsString());
      });
  }

  private static byte[] photo(Random r) {
    java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(96, 64, java.awt.image.BufferedImage.TYPE_INT_RGB);
    java.awt.Graphics2D g = img.createGraphics();
    g.setColor(new java.awt.Color(r.nextInt(0x1000000)));
    g.fillRect(0, 0, 96, 64);
    g.setColor(new java.awt.Color(r.nextInt(0x1000000)));
    g.fillRect(r.nextInt(48), r.nextInt(32), 48, 32);
    g.dispose();
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try {
      javax.imageio.ImageIO.write(img, "jpeg", out);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toByteArray();
  }

  private void check(Random r) {
    // 1 and 2 (renditions' files included).
    a.assertInvariants();
    // Stacks: dissolved below two members, whatever raced (deletes, drain batches, other stacks).
    assertEquals(0, a.count("""
      SELECT count(*) FROM stacks s WHERE (SELECT count(*) FROM assets m WHERE m.stack_id = s.id) < 2"""),
      "a stack with fewer than two members");
    // Faces: on an asset of their own library, and a person's thumbnail is one of its own faces.
    assertEquals(0, a.count("SELECT count(*) FROM faces f JOIN assets x ON x.id = f.asset_id WHERE x.library_id <> f.library_id"),
      "a face on another library's asset");
    assertEquals(0, a.count("""
      SELECT count(*) FROM people p
       WHERE p.thumbnail_face_id IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM faces f WHERE f.id = p.thumbnail_face_id AND f.person_id = p.id)"""),
      "a person whose thumbnail is not one of its faces");
    // Renditions: none lost while its asset lives.
    assertEquals(0, a.count("""
      SELECT count(*) FROM tasks t
       WHERE t.status = 'success' AND t.task_type = 'display_proxy_generation'
         AND NOT EXISTS (SELECT 1 FROM renditions x WHERE x.asset_id = t.asset_id)"""),
      "a finished rendition task whose renditions are gone while its asset lives");
    // 5: every batch deleted its files after commit, and uploads that lost removed theirs.
    assertEquals(0, a.count("SELECT count(*) FROM blob_deletions WHERE not_before <= now() + interval '1 hour'"),
      "files left listed for deletion after the round");
    // 5: a removed library left no asset row.
    assertEquals(0, a.count("SELECT count(*) FROM assets a WHERE NOT EXISTS (SELECT 1 FROM libraries l WHERE l.id = a.library_id)"));
    // 3: every asset_deleted whose library's last state before it was "live" was a DELETE we sent.
    for (Row row : a.sql("""
        SELECT e.entity_id, e.library_id,
               (SELECT s.event_type FROM events s
                 WHERE s.library_id = e.library_id AND s.entity_type = 'library' AND s.id < e.id
                 ORDER BY s.id DESC LIMIT 1) AS state
          FROM events e
         WHERE e.event_type = 'asset_deleted'""")) {
      String state = row.getString("state");
      if (state != null && !state.equals("library_trashed") && !state.equals("library_purge_expedited")) {
        String asset = String.valueOf(row.getValue("entity_id"));
        assertTrue(deletedOnPurpose.contains(asset),
          "asset " + asset + " of a live library (last state " + state + ") was purged");
      }
    }
    // 7: albums hold only their own library's assets, and follow them.
    assertEquals(0, a.count("""
      SELECT count(*) FROM album_assets m JOIN albums al ON al.id = m.album_id JOIN assets x ON x.id = m.asset_id
       WHERE x.library_id <> al.library_id"""), "a membership across libraries");
    // 7: each membership's copy of its asset's state equals the asset's.
    assertEquals(0, a.count("""
      SELECT count(*) FROM album_assets m JOIN assets x ON x.id = m.asset_id
       WHERE m.asset_live <> (x.trashed_at IS NULL) OR m.local_datetime <> x.local_datetime"""),
      "a membership out of step with its asset");
    checkMembershipFeed();
    // 3 for albums: an album of a live library went only by a DELETE we sent.
    for (Row row : a.sql("""
        SELECT e.entity_id,
               (SELECT s.event_type FROM events s
                 WHERE s.library_id = e.library_id AND s.entity_type = 'library' AND s.id < e.id
                 ORDER BY s.id DESC LIMIT 1) AS state
          FROM events e
         WHERE e.event_type = 'album_deleted'""")) {
      String state = row.getString("state");
      if (!"library_trashed".equals(state) && !"library_purge_expedited".equals(state)) {
        assertTrue(albumsDeletedOnPurpose.contains(row.getString("entity_id")),
          "album " + row.getString("entity_id") + " of a live library (last state " + state + ") was purged");
      }
    }
    // 4: a live library's listed assets download byte for byte.
    String lib = anyLibrary(r);
    HttpResponse<Buffer> fetched = a.get("/api/libraries/" + lib, alice.key());
    JsonObject library = fetched.bodyAsJsonObject();
    if (fetched.statusCode() == 200 && library.getValue("trashed_at") == null) {
      HttpResponse<Buffer> listed = a.get("/api/assets?library_id=" + lib + "&limit=200&state=all&include=variants", alice.key());
      assertEquals(200, listed.statusCode(), listed.bodyAsString());
      JsonObject page = listed.bodyAsJsonObject();
      assertEquals(library.getLong("asset_count"), (long) page.getJsonArray("data").size());
      for (Object o : page.getJsonArray("data")) {
        JsonObject asset = (JsonObject) o;
        String url = asset.getJsonObject("asset_urls").getJsonObject("original").getString("url");
        byte[] got = a.client.getAbs(url).send().await().body().getBytes();
        assertArrayEquals(bytes.get(asset.getString("id")), got, "asset " + asset.getString("id"));
      }
      // 7: each album shows exactly its memberships of live assets, and lists exactly those.
      HttpResponse<Buffer> albums = a.get("/api/albums?library_id=" + lib + "&limit=200", alice.key());
      assertEquals(200, albums.statusCode(), albums.bodyAsString());
      for (Object o : albums.bodyAsJsonObject().getJsonArray("data")) {
        JsonObject album = (JsonObject) o;
        HttpResponse<Buffer> members = a.get("/api/assets?library_id=" + lib + "&limit=200&album_id=" + album.getString("id"),
          alice.key());
        assertEquals(200, members.statusCode(), members.bodyAsString());
        assertEquals(album.getLong("asset_count"), (long) members.bodyAsJsonObject().getJsonArray("data").size(),
          album.encode());
        HttpResponse<Buffer> links = a.get("/api/album-assets?library_id=" + lib + "&limit=200&album_id="
          + album.getString("id"), alice.key());
        assertEquals(album.getLong("asset_count"), (long) links.bodyAsJsonObject().getJsonArray("data").size());
        if (album.getLong("asset_count") > 0) {
          String cover = album.getString("album_cover_asset_id");
          assertTrue(members.bodyAsJsonObject().getJsonArray("data").stream()
            .anyMatch(m -> ((JsonObject) m).getString("id").equals(cover)), "cover " + cover + " not a live member");
        }
      }
    }
  }

  /**
   * The feed agrees with the memberships: each membership's last event added it; each added and
   * never removed is still there, unless its album was deleted (album_deleted stands for its links).
   */
  private void checkMembershipFeed() {
    Map<String, String> lastEvent = new HashMap<>();
    Map<String, String> albumOf = new HashMap<>();
    for (Row row : a.sql("SELECT entity_id, event_type, payload->>'album_id' AS album FROM events "
      + "WHERE entity_type = 'album_asset' ORDER BY id")) {
      lastEvent.put(row.getString("entity_id"), row.getString("event_type"));
      albumOf.put(row.getString("entity_id"), row.getString("album"));
    }
    Set<String> deletedAlbums = new java.util.HashSet<>();
    a.sql("SELECT entity_id FROM events WHERE event_type = 'album_deleted'").forEach(row -> deletedAlbums.add(row.getString(0)));
    Set<String> present = new java.util.HashSet<>();
    a.sql("SELECT id FROM album_assets").forEach(row -> present.add(org.eucalypt.id.Ids.ALBUM_ASSET.format(row.getUUID(0))));
    for (String link : present) {
      assertEquals("album_asset_added", lastEvent.get(link), "membership " + link);
    }
    lastEvent.forEach((link, type) -> {
      if (type.equals("album_asset_added") && !present.contains(link)) {
        assertTrue(deletedAlbums.contains(albumOf.get(link)), "membership " + link + " gone without an event");
      }
    });
  }
}
