package org.eucalypt.reliability.support;

import io.vertx.core.json.JsonObject;
import org.eucalypt.config.DatabaseUrl;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the tests of the packaged server share: a user made with {@code create-user}, a multipart
 * upload body, and the database and store read directly to check the invariants.
 */
public final class JarFixture {
  private static final Path JAR = Path.of("target", "eucalypt.jar");

  private final String databaseUrl;
  private final Path storage;

  public JarFixture(String databaseUrl, Path storage) {
    this.databaseUrl = databaseUrl;
    this.storage = storage;
  }

  /** Runs {@code java -jar eucalypt.jar create-user} with these settings; answers the API key. */
  public static String createUser(java.util.Map<String, String> env, String email, Path log) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-jar", JAR.toString(), "create-user", "--email", email)
      .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    return new JsonObject(out.lines().reduce((a, b) -> b).orElseThrow()).getString("api_key");
  }

  /** A multipart/form-data body of one upload with {@code content} as its file. */
  public static byte[] multipart(String boundary, String deviceAssetId, byte[] content) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (String[] f : new String[][] {{"device_asset_id", deviceAssetId}, {"device_id", "it"},
      {"file_created_at", "2024-05-01T10:00:00Z"}, {"file_modified_at", "2024-05-01T10:00:00Z"}}) {
      body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + f[0] + "\"\r\n\r\n" + f[1]
        + "\r\n").getBytes(StandardCharsets.UTF_8));
    }
    body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"asset_data\"; filename=\"c.jpg\"\r\n"
      + "Content-Type: image/jpeg\r\n\r\n").getBytes(StandardCharsets.UTF_8));
    body.writeBytes(content);
    body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    return body.toByteArray();
  }

  public Connection connect() throws SQLException {
    DatabaseUrl u = DatabaseUrl.parse(databaseUrl);
    return DriverManager.getConnection(u.jdbcUrl(), u.user(), u.password());
  }

  public long count(String sql) throws SQLException {
    try (Connection c = connect(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  public Set<String> strings(String sql) throws SQLException {
    try (Connection c = connect(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
      Set<String> out = new HashSet<>();
      while (r.next()) {
        out.add(r.getString(1));
      }
      return out;
    }
  }

  public Set<String> filesInStore() throws IOException {
    Path blobs = storage.resolve("blobs");
    if (!Files.exists(blobs)) {
      return Set.of();
    }
    try (Stream<Path> s = Files.walk(blobs)) {
      Set<String> out = new HashSet<>();
      s.filter(Files::isRegularFile).forEach(p -> out.add(p.getFileName().toString()));
      return out;
    }
  }

  /**
   * Counters equal rows; every row (an asset's original or a rendition) has its file; every file
   * has a row or a pending deletion.
   */
  public void assertInvariants(String when) throws Exception {
    assertEquals(0, count("""
      SELECT count(*) FROM libraries l
       WHERE asset_count <> (SELECT count(*) FROM assets a WHERE a.library_id = l.id)
          OR storage_used_bytes <> (SELECT coalesce(sum(size_bytes), 0) FROM assets a WHERE a.library_id = l.id)"""),
      "counters differ from rows " + when);
    Set<String> files = filesInStore();
    Set<String> rows = strings("SELECT blob_key FROM assets UNION ALL SELECT blob_key FROM renditions");
    Set<String> listed = strings("SELECT blob_key FROM blob_deletions");
    for (String k : rows) {
      assertTrue(files.contains(k), "an asset or rendition row without its file " + when + ": " + k);
    }
    for (String f : files) {
      assertTrue(rows.contains(f) || listed.contains(f), "a file nobody knows about " + when + ": " + f);
    }
  }
}
