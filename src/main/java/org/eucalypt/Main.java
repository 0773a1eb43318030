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
import java.time.Duration;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
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

  /**
   * Beyond shutdown_grace + shutdown_timeout: time for the drain's batch under way to commit and
   * the pool to close; and the bound on closing Vert.x.
   */
  private static final Duration STOP_MARGIN = Duration.ofSeconds(15);

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
        Settings.MEANING.get(key)));
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
    // The settings decide whether Vert.x is clustered, so they are read first, with a Vert.x of
    // their own that is gone before the server's is built.
    Vertx bootstrap = Vertx.vertx();
    Settings settings;
    try {
      settings = loadSettings(bootstrap).toCompletionStage().toCompletableFuture().join();
    } catch (java.util.concurrent.CompletionException e) {
      System.err.println("eucalypt could not start: " + message(e.getCause()));
      System.exit(1);
      return;
    } finally {
      // Waited for here, not chained to the load: a future completed on a closing Vert.x never completes.
      bootstrap.close().toCompletionStage().toCompletableFuture().join();
    }
    Vertx vertx;
    try {
      // Built with its metrics: GET /metrics serves them. Netty's epoll transport where the jar
      // carries it (Linux), NIO elsewhere: Vert.x picks, and logs which.
      vertx = Metrics.vertx(new VertxOptions().setPreferNativeTransport(true), settings).toCompletionStage().toCompletableFuture().join();
    } catch (java.util.concurrent.CompletionException e) {
      System.err.println("eucalypt could not join the cluster: " + message(e.getCause()));
      System.exit(1);
      return;
    }
    Eucalypt.start(vertx, settings).map(app -> {
        System.out.println("eucalypt listening on port " + app.port());
        // A stop that hangs must not keep the process (and systemd or docker stop) waiting
        // forever, so each step is bounded. kill -9 runs nothing, as ever.
        Duration bound = settings.shutdownGrace().plus(settings.shutdownTimeout()).plus(STOP_MARGIN);
        Runnable stopOnce = once(() -> {
          awaitAtMost(app.shutdown(), bound, "stopping the server");
          awaitAtMost(vertx.close(), STOP_MARGIN, "closing Vert.x");
        });
        // SIGINT, SIGHUP, or SIGTERM when it cannot be handled: the same stop, in a shutdown hook.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          stopOnce.run();
          // Last: flushes the access log's queue (logback.xml has no hook of its own for that).
          if (org.slf4j.LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext logging) {
            logging.stop();
          }
        }, "eucalypt-shutdown"));
        gracefulOnSigterm(stopOnce);
        return app;
      })
      .onFailure(e -> {
        System.err.println("eucalypt could not start: " + message(e));
        vertx.close();
        System.exit(1);
      });
  }

  /**
   * SIGTERM is the ordinary way to stop a service (systemd, docker stop, Kubernetes). It is
   * handled here rather than left to the shutdown hook, for two reasons: the graceful stop must
   * run before the JVM starts shutting down (the JVM runs all hooks at once, and Vert.x's own hook
   * deletes its file cache, which breaks an upload still being stored); and a stop that went well
   * ends in exit code 0, not the JVM's 143 (128 + 15), which supervisors log as a failure. The hook
   * then finds the stop done. If the JVM refuses the handler (-Xrs), SIGTERM still stops through
   * the hook, with code 143.
   */
  private static void gracefulOnSigterm(Runnable stopOnce) {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("TERM"), signal -> {
        // The handler's thread is the JVM's own: stop on a thread of ours, then exit.
        Thread t = new Thread(() -> {
          stopOnce.run();
          System.exit(0);
        }, "eucalypt-sigterm");
        t.start();
      });
    } catch (IllegalArgumentException e) {
      System.err.println("eucalypt: cannot handle SIGTERM (" + e.getMessage() + "); it will exit with 143");
    }
  }

  /**
   * {@code r} run by the first caller; later and concurrent callers wait for it to end. A second
   * SIGTERM, or the hook after a SIGTERM, does not start a second stop.
   */
  private static Runnable once(Runnable r) {
    java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
    java.util.concurrent.atomic.AtomicBoolean started = new java.util.concurrent.atomic.AtomicBoolean();
    return () -> {
      if (started.compareAndSet(false, true)) {
        try {
          r.run();
        } finally {
          done.complete(null);
        }
      } else {
        done.join();
      }
    };
  }

  private static void awaitAtMost(Future<?> f, Duration bound, String what) {
    try {
      f.toCompletionStage().toCompletableFuture().get(bound.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      System.err.println("eucalypt: " + what + " took over " + bound + "; exiting anyway");
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
