package org.eucalypt.ops;

import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Whether a database is migrated, without Flyway's blocking JDBC: the newest migration this jar
 * carries ({@code db/migration/V<version>__*.sql}) against the newest Flyway has applied.
 */
public final class Migrations {
  private static final String LOCATION = "db/migration";
  private static final Pattern VERSIONED = Pattern.compile("V(\\d+(?:[._]\\d+)*)__[^/]*\\.sql$");
  private static final String UNDEFINED_TABLE = "42P01";
  private static volatile String latest;

  private Migrations() {
  }

  /** What a database holds, as far as migrations go. */
  public record State(boolean migrated, String current, String expected, String problem) {
  }

  /** The newest migration version in the jar (or classes directory), such as "2". */
  public static String latest() {
    String v = latest;
    if (v == null) {
      v = scan();
      latest = v;
    }
    return v;
  }

  /** Reads the schema history over the given client; fails only when the database cannot be reached. */
  public static Future<State> check(SqlClient client) {
    String expected = latest();
    return client.query("SELECT version, success FROM flyway_schema_history WHERE version IS NOT NULL").execute()
      .map(rows -> {
        String current = null;
        boolean failed = false;
        for (Row r : rows) {
          if (!Boolean.TRUE.equals(r.getBoolean("success"))) {
            failed = true;
          } else if (current == null || compare(r.getString("version"), current) > 0) {
            current = r.getString("version");
          }
        }
        if (failed) {
          return new State(false, current, expected, "a migration failed; see flyway_schema_history");
        }
        if (current == null || compare(current, expected) < 0) {
          return new State(false, current, expected, "not migrated: at version " + (current == null ? "none" : current)
            + ", this version of eucalypt needs " + expected + " (run `eucalypt migrate`)");
        }
        return new State(true, current, expected, null);
      })
      .recover(e -> e instanceof PgException pe && UNDEFINED_TABLE.equals(pe.getSqlState())
        ? Future.succeededFuture(new State(false, null, expected, "not migrated: no schema yet (run `eucalypt migrate`)"))
        : Future.failedFuture(e));
  }

  static int compare(String a, String b) {
    String[] x = a.split("[._]");
    String[] y = b.split("[._]");
    for (int i = 0; i < Math.max(x.length, y.length); i++) {
      long p = i < x.length ? Long.parseLong(x[i]) : 0;
      long q = i < y.length ? Long.parseLong(y[i]) : 0;
      if (p != q) {
        return Long.compare(p, q);
      }
    }
    return 0;
  }

  private static String scan() {
    List<String> names = new ArrayList<>();
    try {
      Enumeration<URL> roots = Migrations.class.getClassLoader().getResources(LOCATION);
      while (roots.hasMoreElements()) {
        URL root = roots.nextElement();
        if ("jar".equals(root.getProtocol())) {
          JarURLConnection c = (JarURLConnection) root.openConnection();
          c.setUseCaches(false);
          try (JarFile jar = c.getJarFile()) {
            for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
              String name = e.nextElement().getName();
              if (name.startsWith(LOCATION + "/")) {
                names.add(name);
              }
            }
          }
        } else if ("file".equals(root.getProtocol())) {
          try (Stream<Path> files = Files.list(Path.of(root.toURI()))) {
            files.forEach(f -> names.add(f.getFileName().toString()));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    String best = null;
    for (String name : names) {
      Matcher m = VERSIONED.matcher(name);
      if (m.find() && (best == null || compare(m.group(1), best) > 0)) {
        best = m.group(1);
      }
    }
    if (best == null) {
      throw new IllegalStateException("no migrations found under classpath:" + LOCATION);
    }
    return best.replace('_', '.');
  }
}
