package org.eucalypt.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * A {@code postgresql://user:password@host:port/database} URL, split into its parts.
 *
 * <p>Like libpq, a URL without a user name connects as the operating-system user, so the
 * default URL works on a machine with PostgreSQL's usual trust or peer setup.
 */
public record DatabaseUrl(String host, int port, String database, String user, String password) {

  public static DatabaseUrl parse(String url) {
    URI u;
    try {
      u = new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("is not a URL: " + e.getMessage());
    }
    if (!"postgresql".equals(u.getScheme()) && !"postgres".equals(u.getScheme())) {
      throw new IllegalArgumentException("must start with postgresql://, got '" + url + "'");
    }
    String host = u.getHost() == null ? "localhost" : u.getHost();
    int port = u.getPort() == -1 ? 5432 : u.getPort();
    String path = u.getPath() == null ? "" : u.getPath().replaceFirst("^/", "");
    if (path.isEmpty() || path.contains("/")) {
      throw new IllegalArgumentException("must name one database, as in postgresql://localhost:5432/eucalypt");
    }
    String user = System.getProperty("user.name");
    String password = null;
    if (u.getRawUserInfo() != null) {
      String[] parts = u.getRawUserInfo().split(":", 2);
      user = decode(parts[0]);
      password = parts.length > 1 ? decode(parts[1]) : null;
    }
    return new DatabaseUrl(host, port, path, user, password);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  public DatabaseUrl withDatabase(String name) {
    return new DatabaseUrl(host, port, name, user, password);
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database;
  }

  @Override
  public String toString() {
    return "postgresql://" + user + "@" + host + ":" + port + "/" + database;
  }
}
