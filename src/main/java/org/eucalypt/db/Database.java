package org.eucalypt.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.ClosedConnectionException;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlClient;
import org.eucalypt.config.DatabaseUrl;
import org.eucalypt.config.Settings;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/** Connecting to PostgreSQL: creating the database if needed, migrating it, and the shared pool. */
public final class Database {
  private static final Logger LOG = LoggerFactory.getLogger(Database.class);
  private static final String DUPLICATE_DATABASE = "42P04";

  private Database() {
  }

  /**
   * Session settings sent with every connection, so PostgreSQL itself notices an instance that
   * died and releases what its connections held (the drain's claims are row locks held by an open
   * transaction). A process that dies on a live host closes its sockets, and its transactions end
   * at once. A host that vanishes (power, network) closes nothing: keepalive probes after 30 s idle,
   * every 10 s, 3 times, end the session within about 60 s; a transaction left idle ends after 60 s
   * whatever the network says; a backend busy on a query checks every 10 s that its client is
   * still there (client_connection_check_interval, PostgreSQL 14 or newer).
   */
  static final Map<String, String> SESSION = Map.of(
    "tcp_keepalives_idle", "30",
    "tcp_keepalives_interval", "10",
    "tcp_keepalives_count", "3",
    "idle_in_transaction_session_timeout", "60000",
    "client_connection_check_interval", "10000");

  public static PgConnectOptions connectOptions(DatabaseUrl url) {
    PgConnectOptions o = new PgConnectOptions()
      .setHost(url.host())
      .setPort(url.port())
      .setDatabase(url.database())
      .setUser(url.user())
      .setCachePreparedStatements(true)
      .setPipeliningLimit(256);
    SESSION.forEach(o::addProperty);
    if (url.password() != null) {
      o.setPassword(url.password());
    }
    return o;
  }

  /**
   * A database host that silently drops packets (a firewall, a dead route) answers neither yes nor
   * no: without these bounds a new connection waits for the OS's TCP timeout (minutes), and each
   * request queued for a connection waits with it. Opening a connection gives up after
   * {@link #CONNECT_TIMEOUT_MS}; a request waits at most {@link #ACQUIRE_TIMEOUT_S} for a free
   * connection, then answers 503 with Retry-After (bus.Bus). Both are far above what a healthy
   * database takes (a connect is a few ms; a connection is free within a query's time).
   */
  static final int CONNECT_TIMEOUT_MS = 3_000;
  static final int ACQUIRE_TIMEOUT_S = 5;

  /**
   * The pool every verticle uses. It is shared by name, so each verticle that asks gets the same
   * connections, bound to its own event loop.
   */
  public static Pool pool(Vertx vertx, Settings settings) {
    return PgBuilder.pool()
      // One pool per database: two servers in one JVM (as in tests) must not share connections.
      .with(poolOptions(settings, "eucalypt:"))
      .with(netOptions())
      .connectingTo(connectOptions(DatabaseUrl.parse(settings.databaseUrl())))
      .using(vertx)
      .build();
  }

  /**
   * The reads of the services ({@link Reads}): a pipelined client, shared by name like
   * {@link #pool}, with the same bounds on connecting and waiting, and its writes to PostgreSQL
   * batched a turn of the event loop at a time ({@link BatchedFlushes}).
   */
  public static Reads reads(Vertx vertx, Settings settings) {
    PgConnectOptions options = connectOptions(DatabaseUrl.parse(settings.databaseUrl()));
    SqlClient client = PgBuilder.client()
      .with(poolOptions(settings, "eucalypt-reads:"))
      .with(netOptions())
      .withConnectHandler(BatchedFlushes::onConnect)
      .connectingTo(options)
      .using(vertx)
      .build();
    return new Reads(vertx, client, options);
  }

  /** Shared by {@code prefix} + the database URL, bounded in size, wait queue and acquire time. */
  private static PoolOptions poolOptions(Settings settings, String prefix) {
    return new PoolOptions()
      .setMaxSize(settings.databasePoolSize())
      .setShared(true)
      .setName(prefix + settings.databaseUrl())
      .setMaxWaitQueueSize(10_000)
      .setConnectionTimeout(ACQUIRE_TIMEOUT_S)
      .setConnectionTimeoutUnit(java.util.concurrent.TimeUnit.SECONDS);
  }

  /** Our side of the keepalives: a database host that vanished fails the connection, not hangs it. */
  private static NetClientOptions netOptions() {
    return new NetClientOptions().setTcpKeepAlive(true).setConnectTimeout(CONNECT_TIMEOUT_MS);
  }

  /**
   * The database cannot be reached or serve just now: refused or lost connections, PostgreSQL's
   * connection errors (08xxx) and shutdowns (57P01-3), or no free connection within the pool's
   * acquire timeout, which the pool says only in a plain VertxException's message.
   */
  public static boolean unavailable(Throwable e) {
    if (e instanceof java.net.ConnectException || brokenConnection(e)) {
      return true;
    }
    if (e instanceof PgException pe && pe.getSqlState() != null && pe.getSqlState().startsWith("57P")) {
      return true;
    }
    return e instanceof io.vertx.core.VertxException && "Timeout waiting for connection".equals(e.getMessage());
  }

  /**
   * A transaction that lost a race and was rolled back whole: a serialization failure (40001) or
   * a deadlock (40P01). Retrying it unchanged is safe; services answer it as a conflict.
   */
  public static boolean lostRace(Throwable e) {
    return e instanceof PgException pe && ("40001".equals(pe.getSqlState()) || "40P01".equals(pe.getSqlState()));
  }

  /** The connection under a statement went away (as opposed to the database refusing it). */
  static boolean brokenConnection(Throwable e) {
    // A terminated backend's socket may be reset before its FATAL message is read.
    if (e instanceof ClosedConnectionException || e instanceof java.io.IOException) {
      return true;
    }
    if (e instanceof PgException pe && pe.getSqlState() != null) {
      String state = pe.getSqlState();
      // 57P01: terminated by an administrator (pg_terminate_backend); 08xxx: connection exceptions.
      return state.equals("57P01") || state.startsWith("08");
    }
    return false;
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
