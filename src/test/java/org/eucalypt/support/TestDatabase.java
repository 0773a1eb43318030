package org.eucalypt.support;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

/**
 * Where tests find a real PostgreSQL: a Testcontainers container where Docker runs; else the
 * server named by {@code EUCALYPT_TEST_DATABASE_URL}; else the local one at localhost:5432.
 * Each test class gets a fresh database of its own, dropped when it is done.
 */
public final class TestDatabase {
  private static volatile String serverUrl;

  private final String name;
  private final String url;

  private TestDatabase(String name, String url) {
    this.name = name;
    this.url = url;
  }

  /** A new, not yet existing database name on the test server; eucalypt creates it at start. */
  public static TestDatabase fresh() {
    String name = "eucalypt_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    return new TestDatabase(name, server() + "/" + name);
  }

  /** The {@code postgresql://} URL eucalypt is configured with. */
  public String url() {
    return url;
  }

  public String name() {
    return name;
  }

  public void drop() {
    org.eucalypt.config.DatabaseUrl u = org.eucalypt.config.DatabaseUrl.parse(url).withDatabase("postgres");
    try (Connection c = DriverManager.getConnection(u.jdbcUrl(), u.user(), u.password());
         Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
    } catch (SQLException e) {
      throw new IllegalStateException("could not drop test database " + name, e);
    }
  }

  private static synchronized String server() {
    if (serverUrl != null) {
      return serverUrl;
    }
    if (dockerAvailable()) {
      PostgreSQLContainer<?> pg = new PostgreSQLContainer<>("postgres:15-alpine");
      pg.start();
      serverUrl = "postgresql://" + pg.getUsername() + ":" + pg.getPassword() + "@" + pg.getHost() + ":"
        + pg.getMappedPort(5432);
      Runtime.getRuntime().addShutdownHook(new Thread(pg::stop));
    } else {
      String configured = System.getenv("EUCALYPT_TEST_DATABASE_URL");
      String base = configured != null && !configured.isBlank() ? configured : "postgresql://localhost:5432/postgres";
      // The URL names a server; each test class makes its own database on it.
      serverUrl = base.replaceFirst("/[^/]*$", "");
    }
    return serverUrl;
  }

  private static boolean dockerAvailable() {
    if ("false".equals(System.getenv("EUCALYPT_TEST_DOCKER")) || System.getenv("EUCALYPT_TEST_DATABASE_URL") != null) {
      return false;
    }
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (Throwable e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return name.toLowerCase(Locale.ROOT);
  }
}
