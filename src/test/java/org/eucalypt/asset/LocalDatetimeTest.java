package org.eucalypt.asset;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.eucalypt.config.DatabaseUrl;
import org.eucalypt.db.Database;
import org.eucalypt.id.Ids;
import org.eucalypt.support.TestDatabase;
import org.eucalypt.support.TestServer;
import org.eucalypt.support.TestServer.User;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code local_datetime} is the photo's wall clock with its offset when known, naive when not,
 * and the list and counts filters follow Gumnut's rule for naive and offset-aware bounds.
 * Real PostgreSQL, real JPEGs with EXIF; every answer is checked against openapi.yaml.
 */
@ExtendWith(VertxExtension.class)
class LocalDatetimeTest {
  private static TestServer server;
  private User alice;
  private String lib;

  @BeforeAll
  static void start(Vertx vertx) {
    server = TestServer.start(vertx);
  }

  @AfterAll
  static void stop() {
    server.stop();
  }

  @BeforeEach
  void library() {
    alice = server.newUser();
    lib = server.createLibrary(alice, "Photos");
  }

  // ---------------------------------------------------------------- what an upload keeps

  @Test
  void anOffsetAwareFileCreatedAtComesBackAsItsWallClockAndOffset() {
    JsonObject asset = upload("2024-06-01T10:00:00+02:00");

    assertEquals("2024-06-01T10:00:00.000000+02:00", asset.getString("local_datetime"));
    JsonObject read = get("/api/assets/" + asset.getString("id") + "?include=file_data");
    assertEquals("2024-06-01T10:00:00.000000+02:00", read.getString("local_datetime"));
    assertEquals("2024-06-01T10:00:00.000000+02:00", list("").getJsonObject(0).getString("local_datetime"));
    // file_created_at stays what it always was: the instant, in UTC.
    assertEquals("2024-06-01T08:00:00.000000Z", read.getJsonObject("file_data").getString("file_created_at"));
  }

  @Test
  void aNaiveFileCreatedAtComesBackNaive() {
    JsonObject asset = upload("2024-06-01T10:00:00");

    assertEquals("2024-06-01T10:00:00.000000", asset.getString("local_datetime"));
    assertEquals("2024-06-01T10:00:00.000000", get("/api/assets/" + asset.getString("id")).getString("local_datetime"));
  }

  @Test
  void exifOffsetTimeOriginalGivesTheOffsetAndItsAbsenceANaiveTime() {
    JsonObject withOffset = uploadJpeg(new PhotoMetadataTest.Exif().orientation(1)
      .dateTimeOriginal("2021:07:14 18:30:05").offsetTimeOriginal("-05:00").exifImageSize(64, 48));
    JsonObject without = uploadJpeg(new PhotoMetadataTest.Exif().orientation(1)
      .dateTimeOriginal("2021:07:14 18:30:05").exifImageSize(64, 48));

    // The file's own time wins over file_created_at, as the camera wrote it.
    assertEquals("2021-07-14T18:30:05.000000-05:00", withOffset.getString("local_datetime"));
    assertEquals("2021-07-14T18:30:05.000000", without.getString("local_datetime"));
    assertEquals("2021-07-14T18:30:05.000000", get("/api/assets/" + without.getString("id")).getString("local_datetime"));
  }

  // ---------------------------------------------------------------- filters

  @Test
  void naiveBoundsCompareWallClocksAndOffsetAwareOnesInstantsWhereTheOffsetIsKnown() {
    String plus2 = id(upload("2024-06-01T10:00:00+02:00"));   // 08:00 UTC
    String naive = id(upload("2024-06-01T09:00:00"));         // instant unknown
    String utc = id(upload("2024-06-01T08:40:00Z"));          // 08:40 UTC
    String minus5 = id(upload("2024-06-01T03:35:00-05:00"));  // 08:35 UTC
    String plus14 = id(upload("2024-06-02T00:00:00+14:00"));  // 10:00 UTC on 1 June

    // Naive: every asset by its wall clock, whatever its offset.
    assertEquals(List.of(plus14, plus2), ids("local_datetime_after=" + enc("2024-06-01T09:30:00")));
    assertEquals(List.of(naive, utc, minus5), ids("local_datetime_before=" + enc("2024-06-01T09:30:00")));

    // 09:30+01:00 is 08:30 UTC: assets with an offset by instant, the naive one by wall clock (09:00 < 09:30).
    assertEquals(List.of(plus14, utc, minus5), ids("local_datetime_after=" + enc("2024-06-01T09:30:00+01:00")));
    assertEquals(List.of(plus2, naive), ids("local_datetime_before=" + enc("2024-06-01T09:30:00+01:00")));
    assertEquals(List.of(utc, minus5), ids("local_datetime_after=" + enc("2024-06-01T09:30:00+01:00")
      + "&local_datetime_before=" + enc("2024-06-01T10:00:00Z")));

    // An offset far from the bound's: +14:00's wall clock is 14 hours past its instant.
    assertEquals(List.of(plus14, plus2, naive, utc, minus5), ids("local_datetime_before=" + enc("2024-06-01T10:30:00Z")));
    assertEquals(List.of(plus14), ids("local_datetime_after=" + enc("2024-06-01T09:45:00Z")));
    assertEquals(List.of(), ids("local_datetime_after=" + enc("2024-06-01T10:00:00Z")));

    // Counts filter alike.
    assertEquals(new JsonArray().add(bucket("2024-06-01T00:00:00.000000", 3)),
      counts("local_datetime_after=" + enc("2024-06-01T09:30:00+01:00")).getJsonArray("data"));
    assertEquals(new JsonArray().add(bucket("2024-06-01T00:00:00.000000", 2)),
      counts("local_datetime_after=" + enc("2024-06-01T09:30:00")).getJsonArray("data"));
  }

  // ---------------------------------------------------------------- counts

  @Test
  void countsBucketByWallClockMonthAndPageByTheBucket() {
    upload("2024-06-30T23:30:00-05:00");  // 1 July 04:30 UTC, but June where it was taken
    upload("2024-07-01T01:00:00+02:00");  // 30 June 23:00 UTC, but July where it was taken
    upload("2024-07-15T12:00:00");
    upload("2024-05-31T23:59:59");

    JsonObject all = counts("");
    assertEquals(new JsonArray().add(bucket("2024-07-01T00:00:00.000000", 2))
      .add(bucket("2024-06-01T00:00:00.000000", 1)).add(bucket("2024-05-01T00:00:00.000000", 1)),
      all.getJsonArray("data"));

    // The SDK pages by giving the last time_bucket back as local_datetime_before: no month is
    // split or repeated, whatever the offsets of its assets.
    JsonObject p1 = counts("limit=1");
    assertEquals(new JsonArray().add(bucket("2024-07-01T00:00:00.000000", 2)), p1.getJsonArray("data"));
    assertTrue(p1.getBoolean("has_more"));
    String last = p1.getJsonArray("data").getJsonObject(0).getString("time_bucket");
    JsonObject p2 = counts("limit=1&local_datetime_before=" + enc(last));
    assertEquals(new JsonArray().add(bucket("2024-06-01T00:00:00.000000", 1)), p2.getJsonArray("data"));
    assertTrue(p2.getBoolean("has_more"));
    last = p2.getJsonArray("data").getJsonObject(0).getString("time_bucket");
    JsonObject p3 = counts("limit=1&local_datetime_before=" + enc(last));
    assertEquals(new JsonArray().add(bucket("2024-05-01T00:00:00.000000", 1)), p3.getJsonArray("data"));
    assertFalse(p3.getBoolean("has_more"));
  }

  // ---------------------------------------------------------------- ordering

  @Test
  void pagesOverMixedOffsetsFollowTheWallClockAndNeitherSkipNorRepeat() {
    Map<String, String> wallClockOf = new HashMap<>();
    String[] times = {
      "2024-06-01T10:00:00+02:00", "2024-06-01T10:00:00", "2024-06-01T10:00:00Z", "2024-06-01T10:00:00-07:00",
      "2024-06-01T09:59:59+14:00", "2024-06-01T10:00:01-12:00", "2024-06-01T09:00:00", "2024-06-01T11:00:00+05:30",
      "2024-05-31T23:00:00-05:00", "2024-06-01T10:00:00+02:00", "2024-06-01T10:00:00",
    };
    for (String t : times) {
      JsonObject asset = upload(t);
      wallClockOf.put(id(asset), t.substring(0, 19));
    }
    // By wall clock, then by id as PostgreSQL orders uuids (their hex text orders alike).
    List<String> asc = new ArrayList<>(wallClockOf.keySet());
    asc.sort(Comparator.comparing((String id) -> wallClockOf.get(id))
      .thenComparing(id -> Ids.ASSET.parse(id).orElseThrow().toString()));
    List<String> desc = new ArrayList<>(asc);
    java.util.Collections.reverse(desc);

    assertEquals(asc, ids("order=asc&limit=100"));
    assertEquals(desc, ids("order=desc&limit=100"));
    for (int limit : new int[] {1, 2, 3}) {
      assertEquals(asc, pageThrough("asc", limit));
      assertEquals(desc, pageThrough("desc", limit));
    }
    // A bound cuts the same order: all but the first two are after 09:00 by the wall clock.
    assertEquals(asc.subList(2, asc.size()), pageThroughWith("asc", 2, "&local_datetime_after=" + enc("2024-06-01T09:00:00")));
  }

  // ---------------------------------------------------------------- migration

  /** Rows from before V4 were UTC instants: they keep them, at a known offset of zero. */
  @Test
  void rowsOfAnEarlierSchemaKeepTheirTimeAsUtc() throws SQLException {
    TestDatabase db = TestDatabase.fresh();
    DatabaseUrl url = DatabaseUrl.parse(db.url());
    try {
      Database.createIfMissing(server.vertx, url).await();
      flyway(url).target("2").load().migrate();
      try (Connection c = DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
           Statement s = c.createStatement()) {
        s.execute("""
          INSERT INTO users (id, email) VALUES ('00000000-0000-0000-0000-000000000001', 'old@example.com');
          INSERT INTO libraries (id, user_id, name) VALUES
            ('00000000-0000-0000-0000-000000000002', '00000000-0000-0000-0000-000000000001', 'Old');
          INSERT INTO assets (id, library_id, mime_type, original_file_name, local_datetime, checksum,
                              checksum_sha1, size_bytes, blob_key)
          VALUES ('00000000-0000-0000-0000-000000000003', '00000000-0000-0000-0000-000000000002', 'image/jpeg',
                  'old.jpg', '2024-06-01T10:00:00+02:00', '\\x00', '\\x00', 1, 'old')""");
      }

      Database.migrate(url);

      try (Connection c = DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
           Statement s = c.createStatement();
           ResultSet r = s.executeQuery("SELECT local_datetime::text, local_offset_seconds FROM assets")) {
        assertTrue(r.next());
        assertEquals("2024-06-01 08:00:00", r.getString(1));
        assertEquals(0, r.getInt(2));
        assertFalse(r.wasNull());
      }
    } finally {
      db.drop();
    }
  }

  private static org.flywaydb.core.api.configuration.FluentConfiguration flyway(DatabaseUrl url) {
    return Flyway.configure().dataSource(url.jdbcUrl(), url.user(), url.password()).locations("classpath:db/migration");
  }

  // ---------------------------------------------------------------- helpers

  private JsonObject upload(String fileCreatedAt) {
    HttpResponse<Buffer> res = server.upload(alice, lib, "p.jpg", TestServer.randomBytes(512), fileCreatedAt);
    assertEquals(201, res.statusCode(), res.bodyAsString());
    return res.bodyAsJsonObject();
  }

  private JsonObject uploadJpeg(PhotoMetadataTest.Exif exif) {
    byte[] bytes = PhotoMetadataTest.withExif(PhotoMetadataTest.jpeg(64, 48), exif);
    HttpResponse<Buffer> res = server.upload(alice, lib, "IMG.JPG", Buffer.buffer(bytes), "2024-02-02T02:02:02+01:00");
    assertEquals(201, res.statusCode(), res.bodyAsString());
    return res.bodyAsJsonObject();
  }

  private JsonObject get(String path) {
    HttpResponse<Buffer> res = server.get(path, alice.key());
    assertEquals(200, res.statusCode(), res.bodyAsString());
    return res.bodyAsJsonObject();
  }

  private JsonArray list(String query) {
    return get("/api/assets?library_id=" + lib + "&" + query).getJsonArray("data");
  }

  private List<String> ids(String query) {
    return list(query).stream().map(o -> ((JsonObject) o).getString("id")).toList();
  }

  private JsonObject counts(String query) {
    return get("/api/assets/counts?library_id=" + lib + "&" + query);
  }

  private List<String> pageThrough(String order, int limit) {
    return pageThroughWith(order, limit, "");
  }

  private List<String> pageThroughWith(String order, int limit, String filter) {
    List<String> out = new ArrayList<>();
    String cursor = null;
    while (true) {
      JsonObject page = get("/api/assets?library_id=" + lib + "&order=" + order + "&limit=" + limit + filter
        + (cursor == null ? "" : "&starting_after_id=" + cursor));
      JsonArray data = page.getJsonArray("data");
      data.forEach(o -> out.add(((JsonObject) o).getString("id")));
      if (!page.getBoolean("has_more")) {
        return out;
      }
      cursor = data.getJsonObject(data.size() - 1).getString("id");
    }
  }

  private static String id(JsonObject asset) {
    return asset.getString("id");
  }

  private static JsonObject bucket(String timeBucket, long count) {
    return new JsonObject().put("time_bucket", timeBucket).put("count", count);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
