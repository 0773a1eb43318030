package org.eucalypt.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.eucalypt.config.DatabaseUrl;
import org.eucalypt.config.Settings;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Connecting to PostgreSQL: creating the database if needed, migrating it, and the shared pool. */
public final class Database {
  private static final Logger LOG = LoggerFactory.getLogger(Database.class);
  private static final String DUPLICATE_DATABASE = "42P04";

  private Database() {
  }

  public static PgConnectOptions connectOptions(DatabaseUrl url) {
    PgConnectOptions o = new PgConnectOptions()
      .setHost(url.host())
      .setPort(url.port())
      .setDatabase(url.database())
      .setUser(url.user())
      .setCachePreparedStatements(true)
      .setPipeliningLimit(256);
    if (url.password() != null) {
      o.setPassword(url.password());
    }
    return o;
  }

  /**
   * The pool every verticle uses. It is shared by name, so each verticle that asks gets the same
   * connections, bound to its own event loop.
   */
  public static Pool pool(Vertx vertx, Settings settings) {
    PoolOptions po = new PoolOptions()
      .setMaxSize(settings.databasePoolSize())
      .setShared(true)
      // One pool per database: two servers in one JVM (as in tests) must not share connections.
      .setName("eucalypt:" + settings.databaseUrl())
      .setMaxWaitQueueSize(10_000);
    return PgBuilder.pool()
      .with(po)
      .connectingTo(connectOptions(DatabaseUrl.parse(settings.databaseUrl())))
      .using(vertx)
      .build();
  }

  /** Creates the database named in the URL if it does not exist yet, then runs the migrations. */
  public static Future<Void> prepare(Vertx vertx, Settings settings) {
    DatabaseUrl url = DatabaseUrl.parse(settings.databaseUrl());
    return createIfMissing(vertx, url).compose(v -> vertx.executeBlocking(() -> {
      migrate(url);
      return null;
    }));
  }

  public static Future<Void> createIfMissing(Vertx vertx, DatabaseUrl url) {
    Pool admin = PgBuilder.pool()
      .with(new PoolOptions().setMaxSize(1))
      .connectingTo(connectOptions(url.withDatabase("postgres")))
      .using(vertx)
      .build();
    return admin.preparedQuery("SELECT 1 FROM pg_database WHERE datname = $1")
      .execute(io.vertx.sqlclient.Tuple.of(url.database()))
      .compose(rows -> {
        if (rows.size() > 0) {
          return Future.<Void>succeededFuture();
        }
        LOG.info("Creating database {}", url.database());
        return admin.query("CREATE DATABASE " + quoteIdent(url.database())).execute()
          .<Void>mapEmpty()
          // Two instances starting at once may both try; the loser finds it made.
          .recover(e -> e instanceof PgException pe && DUPLICATE_DATABASE.equals(pe.getSqlState())
            ? Future.succeededFuture() : Future.failedFuture(e));
      })
      .eventually(admin::close);
  }

  public static void migrate(DatabaseUrl url) {
    Flyway.configure()
      .dataSource(url.jdbcUrl(), url.user(), url.password())
      .locations("classpath:db/migration")
      .load()
      .migrate();
  }

  static String quoteIdent(String ident) {
    return '"' + ident.replace("\"", "\"\"") + '"';
  }
}
