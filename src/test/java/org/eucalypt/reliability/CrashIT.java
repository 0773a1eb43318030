package org.eucalypt.reliability;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eucalypt.reliability.support.JarFixture;
import org.eucalypt.reliability.support.JarProcess;
import org.eucalypt.support.Prerequisite;
import org.eucalypt.support.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged server killed with {@code kill -9} at random moments while its drain purges
 * expedited libraries and its rendition workers render the kept library's photos, and restarted
 * each time; one library is restored midway. After every kill, the committed state must satisfy
 * the invariants (counters equal rows, every original's and rendition's file exists, every file
 * has a row or a pending deletion). At the end, every expedited library is gone with no row and no
 * file left, the restored one is intact (downloads byte for byte), every rendition task has
 * settled, and every file in the store belongs to a row or awaits the sweep (what a killed worker
 * stored and never recorded).
 *
 * <p>{@code -Dreliability.crash.kills=N} (20 under {@code -Preliability}, 6 by default),
 * {@code -Dreliability.crash.assets=N} per library, {@code -Dreliability.seed=N} to replay.
 */
class CrashIT {
  private static final int KILLS = Integer.getInteger("reliability.crash.kills", 6);
  private static final int ASSETS = Integer.getInteger("reliability.crash.assets", 25);
  /** The library restored midway: at two assets a batch, a few seconds of purge to take hold in. */
  private static final int KEPT_ASSETS = ASSETS * 4;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(5)).build();
  private TestDatabase database;
  private Path storage;
  private Path log;
  private JarProcess server;
  private String key;
  /** The database and store, read directly. */
  private JarFixture db;

  @AfterEach
  void stop() {
    if (server != null && server.alive()) {
      server.kill9();
    }
    if (database != null) {
      database.drop();
    }
  }

  private Map<String, String> env() {
    return Map.of(
      "EUCALYPT_DATABASE_URL", database.url(),
      "EUCALYPT_STORAGE_DIR", storage.toString(),
      "EUCALYPT_HTTP_INSTANCES", "1",
      "EUCALYPT_DATABASE_POOL_SIZE", "4",
      // Small, frequent batches: the purge lasts long enough to be killed many times over.
      "EUCALYPT_DRAIN_INTERVAL", "PT0.1S",
      "EUCALYPT_DRAIN_BATCH_SIZE", "2",
      "EUCALYPT_DRAIN_BATCHES_PER_TICK", "1",
      // The kept library's photos are rendered while the kills happen; a short timeout makes a
      // killed worker's lease (ten timeouts) run out within the test, so its task is taken over.
      "EUCALYPT_RENDITION_WORKERS", "1",
      "EUCALYPT_RENDITION_TIMEOUT", "PT3S");
  }

  @Test
  void killedMidPurgeLosesNothingAndLeavesNothing() throws Exception {
    long seed = Long.getLong("reliability.seed", System.nanoTime());
    System.out.println("CrashIT seed=" + seed + " kills=" + KILLS + " assets=" + ASSETS
      + " (replay: -Dreliability.seed=" + seed + ")");
    Random random = new Random(seed);
    Prerequisite.requireTools("vips", "vipsheader");
    database = TestDatabase.fresh();
    storage = Files.createTempDirectory("eucalypt-crash-");
    log = Files.createTempFile("eucalypt-crash-", ".log");
    System.out.println("CrashIT server log: " + log);
    db = new JarFixture(database.url(), storage);
    key = JarFixture.createUser(env(), "crash@example.org", log);
    int port = JarProcess.freePort();
    server = JarProcess.start(env(), port, log);

    // Four libraries to purge, and a bigger one, expedited first, to restore midway.
    List<String> purged = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      purged.add(createLibrary("purge-" + i));
    }
    String kept = createLibrary("kept");
    Map<String, byte[]> keptBytes = new HashMap<>();
    for (String lib : purged) {
      List<String> ids = new ArrayList<>();
      // One real photo, with a known size, for a face; the rest random bytes.
      ids.add(upload(lib, photo(random), null));
      for (int i = 1; i < ASSETS; i++) {
        ids.add(upload(lib, randomBytes(random), null));
      }
      fill(lib, ids);
    }
    List<String> keptIds = new ArrayList<>();
    for (int i = 0; i < KEPT_ASSETS; i++) {
      // Real photos: their renditions are made, stored and recorded while the server is killed.
      keptIds.add(upload(kept, photo(random), keptBytes));
    }
    fill(kept, keptIds);
    Set<String> purgedKeys = db.strings("SELECT blob_key FROM assets a JOIN libraries l ON l.id = a.library_id"
      + " WHERE l.name LIKE 'purge-%'");
    // The kept library first: the drain takes the most overdue first, so it is being purged when
    // the test takes hold of it.
    expedite(kept);
    for (String lib : purged) {
      expedite(lib);
    }
    // Once the drain has purged part of the kept library, the test holds its row until the restore:
    // the drain skips a library whose row is locked (as it skips one another drain holds), so the
    // kills and restarts in between cannot purge it to the end first. Midway is then certain, not
    // a matter of how fast this machine restarts a JVM (CI once lost that race).
    await("the drain starting on the kept library").atMost(Duration.ofSeconds(30)).until(() -> keptAssets() < KEPT_ASSETS);
    Connection hold = db.connect();
    hold.setAutoCommit(false);
    long holdPid;
    try (Statement s = hold.createStatement();
         ResultSet r = s.executeQuery("SELECT pg_backend_pid() FROM libraries WHERE name = 'kept' FOR UPDATE")) {
      assertTrue(r.next(), "the drain purged the whole kept library before the test could hold it");
      holdPid = r.getLong(1);
    }

    int killedMidPurge = 0;
    boolean restored = false;
    for (int k = 1; k <= KILLS; k++) {
      // A random moment of the purge: the drain is somewhere inside a batch, a commit or a sweep.
      // The sleep is the thing under test: nothing to await, the moment is what is random.
      sleep(20 + random.nextInt(300));
      boolean working = db.count("SELECT count(*) FROM libraries WHERE trashed_at IS NOT NULL") > 0
        || db.count("SELECT count(*) FROM blob_deletions") > 0;
      server.kill9();
      if (working) {
        killedMidPurge++;
      }
      db.assertInvariants("after kill " + k);
      assertContentsWhole("after kill " + k);
      server = JarProcess.start(env(), port, log);
      if (!restored) {
        // After the first restart, the restore: it waits for the test's lock, then gets the row
        // before the drain can (the drain never waits for a lock, it skips).
        CompletableFuture<HttpResponse<String>> restore = sendAsync("POST", "/api/libraries/" + kept + "/restore");
        await("the restore waiting for the kept library's row").atMost(Duration.ofSeconds(30))
          .until(() -> blockedBy(holdPid) > 0);
        hold.commit();
        hold.close();
        HttpResponse<String> res = restore.get(30, TimeUnit.SECONDS);
        assertEquals(200, res.statusCode(), "restore answered " + res.body());
        restored = true;
      }
    }
    System.out.println("CrashIT: " + KILLS + " kills, " + killedMidPurge + " while the drain had work");

    // The drain finishes on its own, restarted as it was, and every rendition task settles (a
    // killed worker's is taken over once its lease runs out).
    await("the drain and the renditions finishing (its log: " + log + ")").atMost(Duration.ofMinutes(4))
      .until(() -> db.count("SELECT count(*) FROM libraries WHERE trashed_at IS NOT NULL") == 0
        && db.count("SELECT count(*) FROM tasks WHERE status IN ('pending', 'started')") == 0
        && db.count("SELECT count(*) FROM blob_deletions WHERE not_before <= now()") == 0);
    db.assertInvariants("at the end");
    assertContentsWhole("at the end");
    // Nothing of the purged libraries' contents is left; the kept one's albums count what it holds.
    for (String table : List.of("albums", "stacks", "people", "faces")) {
      assertEquals(0, db.count("SELECT count(*) FROM " + table + " t JOIN libraries l ON l.id = t.library_id"
        + " WHERE l.name LIKE 'purge-%'"), table + " of a purged library");
      assertEquals(db.count("SELECT count(*) FROM " + table + " t JOIN libraries l ON l.id = t.library_id"
        + " WHERE l.name = 'kept'"), db.count("SELECT count(*) FROM " + table), table + " of no library");
    }
    String album = db.strings("SELECT id::text FROM albums").iterator().next();
    JsonObject shown = new JsonObject(send("GET", "/api/albums/" + org.eucalypt.id.Ids.ALBUM.format(
      java.util.UUID.fromString(album)), null).body());
    assertEquals(db.count("SELECT count(*) FROM album_assets m JOIN assets a ON a.id = m.asset_id"
      + " WHERE a.trashed_at IS NULL AND m.album_id = '" + album + "'"), shown.getLong("asset_count"), shown.encode());
    // What a killed worker stored but never recorded stays listed for the sweep (a day on); nothing
    // else may be left: no purged asset's rendition, no file of a rendition whose row is gone.
    Set<String> recorded = db.strings("SELECT blob_key FROM assets UNION ALL SELECT blob_key FROM renditions");
    Set<String> awaitingSweep = db.strings("SELECT blob_key FROM blob_deletions");
    for (String f : db.filesInStore()) {
      assertTrue(recorded.contains(f) || awaitingSweep.contains(f), "a file left behind: " + f);
    }
    assertEquals(0, db.count("""
      SELECT count(*) FROM renditions r JOIN assets a ON a.id = r.asset_id JOIN libraries l ON l.id = a.library_id
       WHERE l.name LIKE 'purge-%'"""));
    long made = db.count("SELECT count(*) FROM tasks WHERE status = 'success'");
    System.out.println("CrashIT: " + made + " rendition tasks succeeded, "
      + db.count("SELECT count(*) FROM renditions") + " renditions recorded, "
      + db.count("SELECT count(*) FROM tasks WHERE attempts > 1") + " taken over after a kill, "
      + awaitingSweep.size() + " files of killed workers listed for the sweep");
    assertTrue(made > 0, "no photo of the kept library was rendered");
    for (String lib : purged) {
      assertEquals(404, send("GET", "/api/libraries/" + lib, null).statusCode());
    }
    assertEquals(0, db.count("SELECT count(*) FROM libraries WHERE name LIKE 'purge-%'"));
    Set<String> files = db.filesInStore();
    for (String k : purgedKeys) {
      assertTrue(!files.contains(k), "a purged library's file outlived it: " + k);
    }
    Set<String> originals = db.strings("SELECT blob_key FROM assets");
    assertTrue(files.containsAll(originals), "an original is missing from the store");
    assertIntact(kept, keptBytes);
    server.term();
  }

  /** The restored library: its list is its count, its bytes its sum, and each asset downloads exactly. */
  private void assertIntact(String lib, Map<String, byte[]> uploaded) throws Exception {
    JsonObject library = new JsonObject(send("GET", "/api/libraries/" + lib, null).body());
    assertEquals(null, library.getValue("trashed_at"));
    List<JsonObject> assets = new ArrayList<>();
    String after = null;
    while (true) {
      String q = "/api/assets?library_id=" + lib + "&limit=200&include=file_data,variants" + (after == null ? "" : "&starting_after_id=" + after);
      JsonObject page = new JsonObject(send("GET", q, null).body());
      JsonArray data = page.getJsonArray("data");
      data.forEach(a -> assets.add((JsonObject) a));
      if (!page.getBoolean("has_more") || data.isEmpty()) {
        break;
      }
      after = assets.get(assets.size() - 1).getString("id");
    }
    assertEquals(library.getLong("asset_count"), (long) assets.size());
    assertTrue(assets.size() > 0, "the restore came too late to keep anything");
    long bytes = 0;
    for (JsonObject a : assets) {
      String url = a.getJsonObject("asset_urls").getJsonObject("original").getString("url");
      HttpResponse<byte[]> res = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(200, res.statusCode());
      assertArrayEquals(uploaded.get(a.getString("id")), res.body(), "asset " + a.getString("id"));
      bytes += res.body().length;
    }
    assertEquals(library.getLong("storage_used_bytes"), bytes);
    System.out.println("CrashIT: restored library kept " + assets.size() + " of " + uploaded.size() + " assets");
  }

  // ---- the API, over plain HTTP ----

  private HttpResponse<String> send(String method, String path, String json) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + server.port() + path))
      .timeout(java.time.Duration.ofSeconds(30))
      .header("Authorization", "Bearer " + key);
    if (json != null) {
      b.header("Content-Type", "application/json");
    }
    b.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private CompletableFuture<HttpResponse<String>> sendAsync(String method, String path) {
    return http.sendAsync(HttpRequest.newBuilder(URI.create("http://localhost:" + server.port() + path))
      .timeout(java.time.Duration.ofSeconds(30))
      .header("Authorization", "Bearer " + key)
      .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The kept library's asset count, or -1 once its row is gone. */
  private long keptAssets() {
    try {
      return db.count("SELECT coalesce((SELECT asset_count FROM libraries WHERE name = 'kept'), -1)");
    } catch (SQLException e) {
      throw new AssertionError(e);
    }
  }

  /** How many sessions wait for a lock the session {@code pid} holds. */
  private long blockedBy(long pid) {
    try {
      return db.count("SELECT count(*) FROM pg_stat_activity WHERE " + pid + " = ANY(pg_blocking_pids(pid))");
    } catch (SQLException e) {
      throw new AssertionError(e);
    }
  }

  private String createLibrary(String name) throws Exception {
    HttpResponse<String> res = send("POST", "/api/libraries", new JsonObject().put("name", name).encode());
    assertEquals(201, res.statusCode(), res.body());
    return new JsonObject(res.body()).getString("id");
  }

  private void expedite(String lib) throws Exception {
    assertEquals(200, send("POST", "/api/libraries/" + lib + "/trash", null).statusCode());
    assertEquals(200, send("DELETE", "/api/libraries/" + lib, null).statusCode());
  }

  private static byte[] randomBytes(Random random) {
    byte[] content = new byte[512 + random.nextInt(4096)];
    random.nextBytes(content);
    return content;
  }

  /**
   * A 1600x1200 JPEG of random blocks, each one a new asset: big enough that rendering the kept
   * library lasts into the kills (a few tenths of a second each), small enough to stay quick.
   */
  private static byte[] photo(Random random) throws java.io.IOException {
    java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(1600, 1200, java.awt.image.BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 1200; y += 40) {
      for (int x = 0; x < 1600; x += 40) {
        int rgb = random.nextInt(0x1000000);
        for (int dy = 0; dy < 40; dy++) {
          for (int dx = 0; dx < 40; dx++) {
            img.setRGB(x + dx, y + dy, rgb);
          }
        }
      }
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    javax.imageio.ImageIO.write(img, "jpeg", out);
    return out.toByteArray();
  }

  /**
   * What a library holds besides assets: an album of its first twenty, a stack of its first two,
   * and a person with a face on its first (a photo).
   */
  private void fill(String lib, List<String> ids) throws Exception {
    HttpResponse<String> album = send("POST", "/api/albums", new JsonObject().put("library_id", lib).put("name", "a").encode());
    assertEquals(201, album.statusCode(), album.body());
    String albumId = new JsonObject(album.body()).getString("id");
    io.vertx.core.json.JsonArray members = new io.vertx.core.json.JsonArray(new ArrayList<Object>(ids.subList(0, Math.min(20, ids.size()))));
    assertEquals(200, send("POST", "/api/albums/" + albumId + "/assets", new JsonObject().put("asset_ids", members).encode())
      .statusCode());
    HttpResponse<String> stack = send("POST", "/api/stacks", new JsonObject().put("library_id", lib)
      .put("asset_ids", new io.vertx.core.json.JsonArray().add(ids.get(0)).add(ids.get(1))).encode());
    assertEquals(201, stack.statusCode(), stack.body());
    HttpResponse<String> person = send("POST", "/api/people", new JsonObject().put("library_id", lib).put("name", "p").encode());
    assertEquals(201, person.statusCode(), person.body());
    HttpResponse<String> face = send("POST", "/api/faces", new JsonObject().put("library_id", lib).put("asset_id", ids.get(0))
      .put("person_id", new JsonObject(person.body()).getString("id"))
      .put("bounding_box", new JsonObject().put("x", 10).put("y", 10).put("w", 100).put("h", 100)).encode());
    assertEquals(201, face.statusCode(), face.body());
  }

  /** What hangs off assets, in any committed state: stacks of two or more, faces and memberships of live rows. */
  private void assertContentsWhole(String when) throws Exception {
    assertEquals(0, db.count("SELECT count(*) FROM stacks s WHERE (SELECT count(*) FROM assets a WHERE a.stack_id = s.id) < 2"),
      "a stack below two members " + when);
    assertEquals(0, db.count("SELECT count(*) FROM album_assets m WHERE NOT EXISTS (SELECT 1 FROM assets a WHERE a.id = m.asset_id)"),
      "a membership of a deleted asset " + when);
    assertEquals(0, db.count("SELECT count(*) FROM faces f WHERE NOT EXISTS (SELECT 1 FROM assets a WHERE a.id = f.asset_id)"),
      "a face of a deleted asset " + when);
  }

  private String upload(String lib, byte[] content, Map<String, byte[]> keep) throws Exception {
    Random random = new Random(java.util.Arrays.hashCode(content));
    String boundary = "crash" + random.nextLong();
    byte[] body = JarFixture.multipart(boundary, "d" + random.nextLong(), content);
    HttpRequest req = HttpRequest.newBuilder(URI.create("http://localhost:" + server.port() + "/api/assets?library_id=" + lib))
      .header("Authorization", "Bearer " + key)
      .header("Content-Type", "multipart/form-data; boundary=" + boundary)
      .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
    assertEquals(201, res.statusCode(), res.body());
    String id = new JsonObject(res.body()).getString("id");
    if (keep != null) {
      keep.put(id, content);
    }
    return id;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
