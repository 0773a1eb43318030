package org.eucalypt;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.eucalypt.auth.Users;
import org.eucalypt.config.Settings;
import org.eucalypt.config.SettingsLoader;
import org.eucalypt.db.Database;
import org.eucalypt.ops.Commands;
import org.eucalypt.ops.Metrics;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * {@code java -jar eucalypt.jar [command]}: runs the server, or one administrative command.
 */
public final class Main {
  private static final String COMMANDS = """
    Usage: java -jar eucalypt.jar [command] [options]

    Commands:
      serve                 run the server (the default): HTTP API, drain, /health, /metrics, /docs
      create-user --email EMAIL [--storage-limit BYTES]
                            create a user with a full-access API key and print
                            {"user_id": ..., "api_key": ...} as one JSON line
      migrate               create the database if missing, run the migrations, and exit
      drain --once          one drain pass and exit (for cron): purge what is due, sweep listed
                            files, print {"batches":..,"assets_purged":..,...} as one JSON line
      status [--json]       trashed libraries awaiting purge and the drain's progress on each
      help, --help          show this text

    Exit codes: 0 done, 1 failed (the reason is on stderr), 2 bad command line.
    """;

  /** One line per setting, for --help; README.md says more. */
  private static final Map<String, String> MEANING = Map.ofEntries(
    Map.entry("http_port", "HTTP port (0: any free port)"),
    Map.entry("http_instances", "HTTP verticles; 0 = one per core"),
    Map.entry("public_url", "base of download URLs; empty = each request's Host"),
    Map.entry("database_url", "PostgreSQL URL; the database is created if missing"),
    Map.entry("database_pool_size", "connections in the shared pool"),
    Map.entry("storage_dir", "where stored files live (blobs/) and uploads stage (staging/)"),
    Map.entry("trash_retention", "how long a trashed library can be restored (ISO 8601)"),
    Map.entry("asset_trash_retention", "how long a trashed asset can be restored (ISO 8601)"),
    Map.entry("user_storage_limit", "default bytes per account; empty = unlimited"),
    Map.entry("drain_interval", "time between drain ticks (ISO 8601)"),
    Map.entry("drain_batch_size", "assets deleted per drain batch (one transaction)"),
    Map.entry("drain_batches_per_tick", "batches per drain tick"),
    Map.entry("max_body_bytes", "largest JSON body"),
    Map.entry("max_upload_bytes", "largest uploaded file"));

  /** Read before logging starts, so it is not a setting of config/eucalypt.json. */
  static final String LOG_FORMAT = "EUCALYPT_LOG_FORMAT";

  private Main() {
  }

  public static void main(String[] args) {
    List<String> argv = Arrays.asList(args);
    String command = argv.isEmpty() ? "serve" : argv.get(0);
    if (!List.of("help", "--help", "-h").contains(command)) {
      configureLogging();
    }
    List<String> rest = argv.isEmpty() ? List.of() : argv.subList(1, argv.size());
    switch (command) {
      case "serve" -> serve();
      case "create-user" -> createUser(rest);
      case "migrate" -> admin("migrate", (commands) -> commands.migrate());
      case "drain" -> {
        if (!rest.contains("--once")) {
          fail("drain needs --once: the server runs the drain on its own timer; this command runs one pass.\n\n"
            + COMMANDS);
        }
        admin("drain", Commands::drainOnce);
      }
      case "status" -> admin("status", commands -> commands.status(rest.contains("--json")));
      case "help", "--help", "-h" -> System.out.print(usage());
      default -> fail("Unknown command '" + command + "'.\n\n" + usage());
    }
  }

  /** Commands, then every setting with its variable and default, from the jar's own config/eucalypt.json. */
  static String usage() {
    StringBuilder out = new StringBuilder(COMMANDS);
    out.append("""

      Configuration: config/eucalypt.json (in the working directory, else the jar's copy) holds every
      default; the environment variable next to each key overrides it. See README.md.

      """);
    JsonObject defaults = bundledDefaults();
    for (String key : Settings.KEYS) {
      Object v = defaults.getValue(key);
      String shown = v == null || String.valueOf(v).isEmpty() ? "(empty)" : String.valueOf(v);
      out.append(String.format(Locale.ROOT, "  %-32s %-38s %s%n", Settings.envName(key), shown,
        MEANING.getOrDefault(key, "")));
    }
    out.append(String.format(Locale.ROOT, "  %-32s %-38s %s%n", LOG_FORMAT, "text",
      "text, or json: one JSON object per log line"));
    return out.toString();
  }

  private static JsonObject bundledDefaults() {
    try (InputStream in = Main.class.getClassLoader().getResourceAsStream("config/eucalypt.json")) {
      return in == null ? new JsonObject() : new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      return new JsonObject();
    }
  }

  /**
   * Hands EUCALYPT_LOG_FORMAT to logback.xml (as the system property eucalypt.log.format) before
   * anything logs; a value other than text or json stops here, naming the variable.
   */
  private static void configureLogging() {
    String format = System.getenv(LOG_FORMAT);
    if (format == null || format.isBlank()) {
      return;
    }
    String f = format.trim().toLowerCase(Locale.ROOT);
    if (!f.equals("text") && !f.equals("json")) {
      fail(LOG_FORMAT + " must be text or json, got '" + format + "'");
    }
    System.setProperty("eucalypt.log.format", f);
  }

  private static void serve() {
    // Built with its metrics: GET /metrics serves them.
    Vertx vertx = Metrics.vertx(new VertxOptions());
    loadSettings(vertx)
      .compose(settings -> Eucalypt.start(vertx, settings).map(app -> {
        System.out.println("eucalypt listening on port " + app.port());
        // A stop that hangs must not keep the process (and systemd or docker stop) waiting forever.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          awaitAtMost(app.stop(), "stopping the server");
          awaitAtMost(vertx.close(), "closing Vert.x");
        }));
        return app;
      }))
      .onFailure(e -> {
        System.err.println("eucalypt could not start: " + message(e));
        vertx.close();
        System.exit(1);
      });
  }

  private static void awaitAtMost(Future<?> f, String what) {
    try {
      f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      System.err.println("eucalypt: " + what + " took over 20 s; exiting anyway");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      System.err.println("eucalypt: " + what + " failed: " + message(e.getCause()));
    }
  }

  /** Runs one of {@link Commands} to its end, then exits with its code. */
  private static void admin(String name, Function<Commands, Future<Integer>> command) {
    Vertx vertx = Vertx.vertx();
    // Wait here, not on a Vert.x thread: those are gone once Vert.x is closed.
    int code = loadSettings(vertx)
      .compose(settings -> command.apply(new Commands(vertx, settings, System.out, Clock.systemUTC())))
      .recover(e -> {
        System.err.println(name + " failed: " + message(e));
        return Future.succeededFuture(1);
      })
      .toCompletionStage().toCompletableFuture().join();
    System.out.flush();
    vertx.close().toCompletionStage().toCompletableFuture().join();
    System.exit(code);
  }

  private static void createUser(List<String> args) {
    String email = option(args, "--email");
    String limit = option(args, "--storage-limit");
    if (email == null || !email.matches("[^@\\s]+@[^@\\s]+")) {
      fail("create-user needs --email with a valid address.\n\n" + COMMANDS);
    }
    Long storageLimit = null;
    if (limit != null) {
      try {
        storageLimit = Long.parseLong(limit);
        if (storageLimit < 0) {
          throw new NumberFormatException();
        }
      } catch (NumberFormatException e) {
        fail("--storage-limit must be a whole number of bytes, got '" + limit + "'");
      }
    }
    Long cap = storageLimit;
    Vertx vertx = Vertx.vertx();
    // Wait here, not on a Vert.x thread: those are gone once Vert.x is closed.
    int code = loadSettings(vertx)
      .compose(settings -> Database.prepare(vertx, settings).compose(v -> {
        Pool pool = Database.pool(vertx, settings);
        return Users.create(pool, email, cap).eventually(pool::close);
      }))
      .map(created -> {
        System.out.println(created.encode());
        return 0;
      })
      .recover(e -> {
        System.err.println("create-user failed: " + message(e));
        return Future.succeededFuture(1);
      })
      .toCompletionStage().toCompletableFuture().join();
    vertx.close().toCompletionStage().toCompletableFuture().join();
    System.exit(code);
  }

  private static Future<Settings> loadSettings(Vertx vertx) {
    return SettingsLoader.load(vertx);
  }

  private static String option(List<String> args, String name) {
    int i = args.indexOf(name);
    if (i >= 0 && i + 1 < args.size()) {
      return args.get(i + 1);
    }
    for (String a : args) {
      if (a.startsWith(name + "=")) {
        return a.substring(name.length() + 1);
      }
    }
    return null;
  }

  private static String message(Throwable e) {
    return e.getMessage() != null ? e.getMessage() : e.toString();
  }

  private static void fail(String message) {
    System.err.println(message);
    System.exit(2);
  }
}
