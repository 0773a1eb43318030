package org.eucalypt;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import org.eucalypt.auth.Users;
import org.eucalypt.config.Settings;
import org.eucalypt.config.SettingsLoader;
import org.eucalypt.db.Database;

import java.util.Arrays;
import java.util.List;

/**
 * {@code java -jar eucalypt.jar [command]}: runs the server, or one administrative command.
 */
public final class Main {
  private static final String USAGE = """
    Usage: java -jar eucalypt.jar [command]

    Commands:
      serve                                   run the server (the default)
      create-user --email EMAIL [--storage-limit BYTES]
                                              create a user with a full-access API key and print
                                              {"user_id": ..., "api_key": ...} as one JSON line
      help                                    show this text

    Configuration: config/eucalypt.json holds every default; each key can be overridden by an
    environment variable EUCALYPT_<KEY> (for example EUCALYPT_HTTP_PORT=9000). See README.md.
    """;

  private Main() {
  }

  public static void main(String[] args) {
    List<String> argv = Arrays.asList(args);
    String command = argv.isEmpty() ? "serve" : argv.get(0);
    switch (command) {
      case "serve" -> serve();
      case "create-user" -> createUser(argv.subList(1, argv.size()));
      case "help", "--help", "-h" -> System.out.print(USAGE);
      default -> fail("Unknown command '" + command + "'.\n\n" + USAGE);
    }
  }

  private static void serve() {
    Vertx vertx = Vertx.vertx();
    loadSettings(vertx)
      .compose(settings -> Eucalypt.start(vertx, settings).map(app -> {
        System.out.println("eucalypt listening on port " + app.port());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          app.stop().toCompletionStage().toCompletableFuture().join();
          vertx.close().toCompletionStage().toCompletableFuture().join();
        }));
        return app;
      }))
      .onFailure(e -> {
        System.err.println("eucalypt could not start: " + message(e));
        vertx.close();
        System.exit(1);
      });
  }

  private static void createUser(List<String> args) {
    String email = option(args, "--email");
    String limit = option(args, "--storage-limit");
    if (email == null || !email.matches("[^@\\s]+@[^@\\s]+")) {
      fail("create-user needs --email with a valid address.\n\n" + USAGE);
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
