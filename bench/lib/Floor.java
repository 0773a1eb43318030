import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.ClientBuilder;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.UUID;

/**
 * The floor under eucalypt's reads: what Vert.x and its PostgreSQL client alone reach on this
 * machine. One verticle per core sharing one client of the server's pool size, the server's
 * statements, the server's JSON byte for byte (ids in Gumnut's format, times with microseconds,
 * signed download URLs), and nothing else: no routing, authentication, validation, event bus,
 * metrics or access log. bench/run.sh compiles it against eucalypt.jar and measures it beside the
 * server, so the report can say how much of the distance to pgbench is the stack's and how much
 * is eucalypt's.
 *
 * <ul>
 *   <li>{@code GET /library}: library/LibrarySql.GET for LIBRARY, as GET /api/libraries/{id}.
 *   <li>{@code GET /assets?limit=N}: asset/AssetSql.LIVE_LIBRARY, then the page query
 *       asset/AssetQuery.list builds (N + 1 rows, to know has_more) for ASSETS_LIBRARY, as
 *       GET /api/assets?library_id=...&limit=N; each asset with its signed URL, as the server's
 *       (a key of its own: the signature differs, its length does not).
 * </ul>
 *
 * <p>MODE {@code pooled} uses {@code PgBuilder.pool()}, the client eucalypt's transactions use:
 * one query per connection at a time. {@code pipelined} uses {@code PgBuilder.client()}, as
 * eucalypt's reads do, which sends up to
 * {@link PgConnectOptions#DEFAULT_PIPELINING_LIMIT} (256) queries down a connection without
 * waiting for the answers; the limit is left at that default. {@code batched} is {@code pipelined}
 * with the server's batched writes to PostgreSQL (db.BatchedFlushes): not one of bench/run.sh's
 * floors, but the floor of the server as it is (the pipelined floor does not batch).
 *
 * <p>Usage: java -cp eucalypt.jar:DIR Floor MODE PORT DATABASE POOL_SIZE USER LIBRARY ASSETS_LIBRARY
 * (the last three as UUIDs)
 */
public class Floor extends VerticleBase {
  // Copies of the server's statements (library/LibrarySql, asset/AssetSql, asset/AssetQuery).
  private static final String GET_LIBRARY = """
    SELECT id, user_id, name, description, asset_count, storage_used_bytes, storage_limit_bytes,
           trashed_at, purge_after, created_at, updated_at
      FROM libraries WHERE id = $1 AND user_id = $2""";
  private static final String LIVE_LIBRARY = """
    SELECT id FROM libraries WHERE id = $1 AND user_id = $2 AND trashed_at IS NULL""";
  private static final String LIST_ASSETS = """
    SELECT a.id, a.library_id, a.mime_type, a.original_file_name, a.local_datetime, a.local_offset_seconds,
           a.width, a.height, a.duration, a.thumbhash, a.checksum, a.checksum_sha1, a.size_bytes, a.blob_key, a.device_asset_id, a.device_id,
           a.file_created_at, a.file_modified_at, a.trashed_at, a.created_at, a.updated_at, a.stack_id,
           a.edited_description, a.edited_latitude, a.edited_longitude
      FROM assets a WHERE a.library_id = $1 AND a.trashed_at IS NULL
     ORDER BY a.local_datetime DESC, a.id DESC LIMIT $2""";
  private static final DateTimeFormatter MICROS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSXXX");
  private static final DateTimeFormatter NAIVE = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS");
  private static final String ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  private static final byte[] SIGNING_KEY = new byte[32];

  private static String[] args;
  private SqlClient client;
  private Mac mac;

  public static void main(String[] a) {
    if (a.length != 7 || !a[0].matches("pooled|pipelined|batched")) {
      System.err.println("usage: Floor pooled|pipelined|batched PORT DATABASE POOL_SIZE USER LIBRARY ASSETS_LIBRARY");
      System.exit(2);
    }
    args = a;
    new SecureRandom().nextBytes(SIGNING_KEY);
    int cores = Runtime.getRuntime().availableProcessors();
    Vertx.vertx().deployVerticle(Floor::new, new DeploymentOptions().setInstances(cores)).await();
    System.out.println(a[0] + " floor listening on port " + a[1]);
  }

  @Override
  public Future<?> start() throws GeneralSecurityException {
    boolean pipelined = !args[0].equals("pooled");
    ClientBuilder<? extends SqlClient> builder = pipelined ? PgBuilder.client() : PgBuilder.pool();
    if (args[0].equals("batched")) {
      builder.withConnectHandler(org.eucalypt.db.BatchedFlushes::onConnect);
    }
    // Shared by name, as the server's pool: POOL_SIZE connections in all, not per verticle.
    client = builder
      .with(new PoolOptions().setMaxSize(Integer.parseInt(args[3])).setShared(true).setName("floor"))
      .connectingTo(new PgConnectOptions().setHost("localhost").setPort(5432).setDatabase(args[2])
        .setUser(System.getProperty("user.name")).setCachePreparedStatements(true))
      .using(vertx).build();
    mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SIGNING_KEY, "HmacSHA256"));
    UUID user = UUID.fromString(args[4]);
    Tuple library = Tuple.of(UUID.fromString(args[5]), user);
    Tuple assetsLibrary = Tuple.of(UUID.fromString(args[6]), user);
    return vertx.createHttpServer().requestHandler(req -> {
      Future<String> body = switch (req.path()) {
        case "/library" -> client.preparedQuery(GET_LIBRARY).execute(library)
          .map(rows -> rows.size() == 1 ? libraryJson(rows.iterator().next()).encode() : null);
        case "/assets" -> listAssets(req, assetsLibrary);
        default -> Future.succeededFuture();
      };
      body.onComplete(ar -> {
        if (ar.failed() || ar.result() == null) {
          req.response().setStatusCode(ar.failed() ? 500 : 404).end();
        } else {
          req.response().putHeader("content-type", "application/json").end(ar.result());
        }
      });
    }).listen(Integer.parseInt(args[1]));
  }

  private Future<String> listAssets(HttpServerRequest req, Tuple library) {
    String l = req.getParam("limit");
    int limit = l == null ? 20 : Integer.parseInt(l);
    return client.preparedQuery(LIVE_LIBRARY).execute(library).compose(live -> {
      if (live.size() != 1) {
        return Future.succeededFuture();
      }
      return client.preparedQuery(LIST_ASSETS).execute(Tuple.of(library.getUUID(0), limit + 1)).map(rows -> {
        String base = req.scheme() + "://" + req.authority() + "/api/assets/";
        JsonArray data = new JsonArray();
        for (Row r : rows) {
          if (data.size() == limit) {
            break;
          }
          data.add(assetJson(r, base));
        }
        return new JsonObject().put("data", data).put("has_more", rows.size() > limit).encode();
      });
    });
  }

  private static JsonObject libraryJson(Row r) {
    return new JsonObject()
      .put("id", "lib_" + base57(r.getUUID("id")))
      .put("name", r.getString("name"))
      .put("description", r.getString("description"))
      .put("user_id", "intuser_" + base57(r.getUUID("user_id")))
      .put("asset_count", r.getLong("asset_count"))
      .put("storage_used_bytes", r.getLong("storage_used_bytes"))
      .put("storage_limit_bytes", r.getLong("storage_limit_bytes"))
      .put("trashed_at", time(r.getOffsetDateTime("trashed_at")))
      .put("purge_after", time(r.getOffsetDateTime("purge_after")))
      .put("created_at", time(r.getOffsetDateTime("created_at")))
      .put("updated_at", time(r.getOffsetDateTime("updated_at")));
  }

  private JsonObject assetJson(Row r, String base) {
    String uuid = base57(r.getUUID("id"));
    String id = "asset_" + uuid;
    long expires = (System.currentTimeMillis() / 3_600_000 + 1) * 3_600 + 86_400;
    String signature = Base64.getUrlEncoder().withoutPadding()
      .encodeToString(mac.doFinal((id + ":" + expires).getBytes(StandardCharsets.UTF_8)));
    String thumbnailKey = r.getString("mime_type").startsWith("video/") ? "thumbnail_image" : "thumbnail";
    return new JsonObject()
      .put("id", id)
      .put("library_id", "lib_" + base57(r.getUUID("library_id")))
      .put("mime_type", r.getString("mime_type"))
      .put("original_file_name", r.getString("original_file_name"))
      .put("local_datetime", wallClock(r))
      .put("kind", "original")
      .put("current_version_id", "asset_version_" + uuid)
      .put("width", r.getInteger("width"))
      .put("height", r.getInteger("height"))
      .put("duration", r.getDouble("duration"))
      .put("thumbhash", r.getString("thumbhash"))
      .put("stack_id", r.getUUID("stack_id") == null ? null : "asset_stack_" + base57(r.getUUID("stack_id")))
      .put("trashed_at", time(r.getOffsetDateTime("trashed_at")))
      .put("created_at", time(r.getOffsetDateTime("created_at")))
      .put("updated_at", time(r.getOffsetDateTime("updated_at")))
      // The lean rung, as the server answers without include=variants.
      .put("asset_urls", new JsonObject().put(thumbnailKey, new JsonObject()
        .put("url", base + id + "/variants/" + thumbnailKey + "?expires=" + expires + "&signature=" + signature)
        .put("mimetype", "image/webp")
        .put("width", thumbnailWidth(r.getInteger("width"), r.getInteger("height")))));
  }

  /** The thumbnail's width: the picture fitted into 360x360, never enlarged (http.AssetUrls). */
  private static Integer thumbnailWidth(Integer w, Integer h) {
    if (w == null || h == null || w <= 0 || h <= 0) {
      return null;
    }
    return Math.max(w, h) <= 360 ? w : w >= h ? 360 : (int) Math.max(1, Math.round(w * 360.0 / h));
  }

  /** The wall clock with its offset, or naive when the offset is unknown, as the server writes it. */
  private static String wallClock(Row r) {
    Integer offset = r.getInteger("local_offset_seconds");
    return offset == null ? NAIVE.format(r.getLocalDateTime("local_datetime"))
      : MICROS.format(r.getLocalDateTime("local_datetime").atOffset(ZoneOffset.ofTotalSeconds(offset)));
  }

  private static String time(OffsetDateTime t) {
    return t == null ? null : MICROS.format(t.withOffsetSameInstant(ZoneOffset.UTC));
  }

  /** A UUID as Gumnut writes it in ids: 22 digits of shortuuid's base-57 alphabet. */
  private static String base57(UUID uuid) {
    long hi = uuid.getMostSignificantBits();
    long lo = uuid.getLeastSignificantBits();
    long[] limbs = {hi >>> 32, hi & 0xFFFF_FFFFL, lo >>> 32, lo & 0xFFFF_FFFFL};
    char[] out = new char[22];
    for (int i = out.length - 1; i >= 0; i--) {
      long remainder = 0;
      for (int j = 0; j < 4; j++) {
        long current = (remainder << 32) | limbs[j];
        limbs[j] = current / 57;
        remainder = current % 57;
      }
      out[i] = ALPHABET.charAt((int) remainder);
    }
    return new String(out);
  }
}
