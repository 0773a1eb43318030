package org.eucalypt.support;

import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.multipart.MultipartForm;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import org.eucalypt.Eucalypt;
import org.eucalypt.auth.Users;
import org.eucalypt.config.Settings;
import org.eucalypt.config.SettingsLoader;
import org.eucalypt.drain.Drain;
import org.eucalypt.rendition.RenditionLimits;
import org.eucalypt.rendition.RenditionWorker;
import org.eucalypt.storage.LocalBlobStore;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A whole eucalypt, in-process, on a fresh database and storage directory, driven over HTTP
 * like any client would. The timed drain is off: tests run drain batches themselves.
 */
public final class TestServer {
  private static final SecureRandom RANDOM = new SecureRandom();

  public final Vertx vertx;
  public final Eucalypt app;
  public final WebClient client;
  public final MutableClock clock;
  public final TestDatabase database;
  public final Path storage;

  private TestServer(Vertx vertx, Eucalypt app, MutableClock clock, TestDatabase database, Path storage) {
    this.vertx = vertx;
    this.app = app;
    this.clock = clock;
    this.database = database;
    this.storage = storage;
    this.client = ContractCheck.attach(vertx, WebClient.create(vertx, new WebClientOptions()
      .setDefaultHost("localhost").setDefaultPort(app.port())));
  }

  public static TestServer start(Vertx vertx) {
    return start(vertx, s -> s);
  }

  public static TestServer start(Vertx vertx, UnaryOperator<Settings> customize) {
    TestDatabase db = TestDatabase.fresh();
    Path storage;
    try {
      storage = Files.createTempDirectory("eucalypt-test-");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    Settings settings = customize.apply(SettingsLoader.load(vertx).await()
      .with("http_port", 0)
      .with("database_url", db.url())
      .with("storage_dir", storage.toString()));
    MutableClock clock = new MutableClock();
    Eucalypt app = Eucalypt.start(vertx, settings, clock, false).await();
    return new TestServer(vertx, app, clock, db, storage);
  }

  public void stop() {
    client.close();
    app.stop().await();
    database.drop();
  }

  /** A new user with a full-access key. */
  public User newUser() {
    JsonObject created = Users.create(app.pool(), "user-" + UUID.randomUUID() + "@example.org", null).await();
    return new User(created.getString("user_id"), created.getString("api_key"));
  }

  public record User(String id, String key) {
  }

  public HttpResponse<Buffer> call(HttpMethod method, String path, String key, JsonObject body) {
    HttpRequest<Buffer> req = client.request(method, path);
    if (key != null) {
      req.bearerTokenAuthentication(key);
    }
    return (body == null ? req.send() : req.sendJsonObject(body)).await();
  }

  public HttpResponse<Buffer> get(String path, String key) {
    return call(HttpMethod.GET, path, key, null);
  }

  public HttpResponse<Buffer> post(String path, String key, JsonObject body) {
    return call(HttpMethod.POST, path, key, body);
  }

  /** Creates a library and answers its id. */
  public String createLibrary(User user, String name) {
    HttpResponse<Buffer> res = post("/api/libraries", user.key(), new JsonObject().put("name", name));
    assertEquals(201, res.statusCode(), res.bodyAsString());
    return res.bodyAsJsonObject().getString("id");
  }

  public HttpResponse<Buffer> upload(User user, String libraryId, String fileName, Buffer bytes) {
    MultipartForm form = MultipartForm.create()
      .attribute("device_asset_id", "device-asset-" + UUID.randomUUID())
      .attribute("device_id", "test-device")
      .attribute("file_created_at", "2024-05-01T10:00:00Z")
      .attribute("file_modified_at", "2024-05-01T10:00:00+00:00")
      .binaryFileUpload("asset_data", fileName, bytes, "application/octet-stream");
    HttpRequest<Buffer> req = client.post("/api/assets").bearerTokenAuthentication(user.key());
    if (libraryId != null) {
      req.addQueryParam("library_id", libraryId);
    }
    return req.sendMultipartForm(form).await();
  }

  /** Uploads random bytes as a JPEG and answers the new asset. */
  public JsonObject uploadRandom(User user, String libraryId) {
    HttpResponse<Buffer> res = upload(user, libraryId, "photo-" + UUID.randomUUID() + ".jpg", randomBytes(2048));
    assertEquals(201, res.statusCode(), res.bodyAsString());
    return res.bodyAsJsonObject();
  }

  /** A small real JPEG (64x48, a random colour, so each is a new asset), uploaded. */
  public JsonObject uploadPhoto(User user, String libraryId) {
    BufferedImage img = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(new Color(RANDOM.nextInt(0x1000000)));
    g.fillRect(0, 0, 64, 48);
    g.dispose();
    ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
    try {
      ImageIO.write(img, "jpeg", jpeg);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    HttpResponse<Buffer> res = upload(user, libraryId, "photo-" + UUID.randomUUID() + ".jpg",
      Buffer.buffer(jpeg.toByteArray()));
    assertEquals(201, res.statusCode(), res.bodyAsString());
    return res.bodyAsJsonObject();
  }

  /**
   * Works the renditions queue in this process until no task is due, as a RenditionVerticle
   * would (which test servers do not deploy unless their drain runs). Needs libvips and ffmpeg.
   */
  public void renderQueued() {
    WorkerExecutor executor = vertx.createSharedWorkerExecutor("test-renditions", 1);
    try {
      RenditionWorker worker = new RenditionWorker(vertx, app.pool(), app.blobs(), executor, clock,
        new RenditionLimits(1, Duration.ofSeconds(60), 100_000_000L));
      while (worker.runOne().await()) {
        // the next task, until none is due
      }
    } finally {
      executor.close().await();
    }
  }

  /** Every {@code asset_urls} rung of an asset, {@code original} included ({@code include=variants}). */
  public JsonObject assetUrls(User user, String assetId) {
    HttpResponse<Buffer> res = get("/api/assets/" + assetId + "?include=variants", user.key());
    assertEquals(200, res.statusCode(), res.bodyAsString());
    return res.bodyAsJsonObject().getJsonObject("asset_urls");
  }

  public static Buffer randomBytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return Buffer.buffer(b);
  }

  /** A drain over this server's database and storage, to run batch by batch. */
  public Drain drain(int batchSize) {
    return new Drain(app.pool(), app.blobs(), clock, batchSize, app.settings().assetTrashRetention());
  }

  /** The local store, for tests that look at its files; fails on an S3-backed server. */
  public LocalBlobStore localBlobs() {
    return (LocalBlobStore) app.blobs();
  }

  public RowSet<Row> sql(String sql, Object... params) {
    return app.pool().preparedQuery(sql).execute(Tuple.from(params)).await();
  }

  public long count(String sql, Object... params) {
    return sql(sql, params).iterator().next().getLong(0);
  }

  /** Every file under the blob store's root. */
  public Set<String> storedFiles() {
    try (Stream<Path> files = Files.walk(localBlobs().blobsRoot())) {
      Set<String> keys = new HashSet<>();
      files.filter(Files::isRegularFile).forEach(p -> keys.add(p.getFileName().toString()));
      return keys;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The invariants of DESIGN.md that hold in every committed state: counters equal their rows,
   * every row's file exists, every file has a row or is listed for deletion.
   */
  public void assertInvariants() {
    RowSet<Row> wrong = sql("""
      SELECT l.id, l.asset_count, l.storage_used_bytes, count(a.id) AS n, coalesce(sum(a.size_bytes), 0) AS bytes
        FROM libraries l LEFT JOIN assets a ON a.library_id = l.id
       GROUP BY l.id
      HAVING l.asset_count <> count(a.id) OR l.storage_used_bytes <> coalesce(sum(a.size_bytes), 0)""");
    assertEquals(0, wrong.size(), () -> "libraries with wrong counters: " + rows(wrong));
    Set<String> files = storedFiles();
    Set<String> rowKeys = new HashSet<>();
    // Renditions are stored files like originals: each row's file exists, each file has its row.
    sql("SELECT blob_key FROM assets UNION ALL SELECT blob_key FROM renditions").forEach(r -> rowKeys.add(r.getString(0)));
    Set<String> listed = new HashSet<>();
    sql("SELECT blob_key FROM blob_deletions").forEach(r -> listed.add(r.getString(0)));
    for (String key : rowKeys) {
      assertTrue(files.contains(key), "asset or rendition row without its file: " + key);
    }
    for (String file : files) {
      assertTrue(rowKeys.contains(file) || listed.contains(file), "stored file nobody knows about: " + file);
    }
  }

  private static String rows(RowSet<Row> rows) {
    JsonArray out = new JsonArray();
    rows.forEach(r -> out.add(r.toJson()));
    return out.encode();
  }

  /** As {@link #upload(User, String, String, Buffer)}, with the capture time the client reports. */
  public HttpResponse<Buffer> upload(User user, String libraryId, String fileName, Buffer bytes, String fileCreatedAt) {
    MultipartForm form = MultipartForm.create()
      .attribute("device_asset_id", "device-asset-" + UUID.randomUUID())
      .attribute("device_id", "test-device")
      .attribute("file_created_at", fileCreatedAt)
      .attribute("file_modified_at", fileCreatedAt)
      .binaryFileUpload("asset_data", fileName, bytes, "application/octet-stream");
    HttpRequest<Buffer> req = client.post("/api/assets").bearerTokenAuthentication(user.key());
    if (libraryId != null) {
      req.addQueryParam("library_id", libraryId);
    }
    return req.sendMultipartForm(form).await();
  }

  /** Every file anywhere under the storage directory (kept, staged or otherwise), as absolute paths. */
  public Set<Path> filesUnderStorage() {
    try (Stream<Path> files = Files.walk(storage)) {
      Set<Path> out = new HashSet<>();
      files.filter(Files::isRegularFile).forEach(p -> out.add(p.toAbsolutePath().normalize()));
      return out;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Another instance of this server: its own {@code vertx} (so its own event bus and caches) on
   * the same database and storage directory, as a second process would be. Stop it with {@link
   * #stopInstance()}, which leaves the shared database to this server's {@link #stop()}.
   */
  public TestServer startAnotherInstance(Vertx otherVertx) {
    return startAnotherInstance(otherVertx, s -> s);
  }

  /** As {@link #startAnotherInstance(Vertx)}, with settings of its own (a bridge port, say). */
  public TestServer startAnotherInstance(Vertx otherVertx, UnaryOperator<Settings> customize) {
    Settings settings = customize.apply(SettingsLoader.load(otherVertx).await()
      .with("http_port", 0)
      .with("database_url", database.url())
      .with("storage_dir", storage.toString()));
    MutableClock otherClock = new MutableClock();
    Eucalypt other = Eucalypt.start(otherVertx, settings, otherClock, false).await();
    return new TestServer(otherVertx, other, otherClock, database, storage);
  }

  /** Stops this instance without dropping the database it shares. */
  public void stopInstance() {
    client.close();
    app.stop().await();
  }
}
