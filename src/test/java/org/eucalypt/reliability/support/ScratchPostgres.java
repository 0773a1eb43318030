package org.eucalypt.reliability.support;

import org.eucalypt.support.Prerequisite;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL cluster of this test's own (initdb into a temp dir, on a free port), so that it can
 * be stopped and started: the shared server on 5432 serves others and is never touched. Run as the
 * {@code postgres} user when the test runs as root. Where initdb is missing it skips the test, or
 * fails it under {@code CI=true} ({@link Prerequisite}).
 */
public final class ScratchPostgres implements AutoCloseable {
  private static final Path BIN = serverBinaries().orElse(null);

  private final Path dir;
  private final int port;

  private ScratchPostgres(Path dir, int port) {
    this.dir = dir;
    this.port = port;
  }

  public static ScratchPostgres create() throws IOException {
    Prerequisite.require(BIN != null, "PostgreSQL's initdb (neither in `pg_config --bindir` nor in "
      + "/usr/lib/postgresql/*/bin; Debian's postgresql package has it)");
    Path dir = Files.createTempDirectory("eucalypt-pg-");
    Prerequisite.require(Tmpfs.run("chown", "postgres", dir.toString()),
      "a postgres user to hand " + dir + " to (and root, to hand it over)");
    ScratchPostgres pg = new ScratchPostgres(dir, JarProcess.freePort());
    if (!pg.asPostgres(BIN.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-A", "trust",
      "-U", "postgres")) {
      throw new IllegalStateException("initdb failed in " + dir);
    }
    pg.start();
    return pg;
  }

  /**
   * The directory of initdb and pg_ctl: where {@code pg_config --bindir} says, else the newest of
   * Debian's {@code /usr/lib/postgresql/<version>/bin}.
   */
  private static Optional<Path> serverBinaries() {
    Optional<Path> configured = pgConfigBindir().filter(ScratchPostgres::hasInitdb);
    if (configured.isPresent()) {
      return configured;
    }
    try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
      return versions.map(v -> v.resolve("bin")).filter(ScratchPostgres::hasInitdb)
        .max(Comparator.comparing(ScratchPostgres::majorVersion));
    } catch (IOException noneInstalled) {
      return Optional.empty();
    }
  }

  private static Optional<Path> pgConfigBindir() {
    try {
      Process p = new ProcessBuilder("pg_config", "--bindir").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 ? Optional.of(Path.of(out)) : Optional.empty();
    } catch (IOException notInstalled) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  private static boolean hasInitdb(Path bin) {
    return Files.isExecutable(bin.resolve("initdb"));
  }

  /** 15 for /usr/lib/postgresql/15/bin; 0 for a directory not named by a number. */
  private static int majorVersion(Path bin) {
    String name = bin.getParent().getFileName().toString();
    return name.matches("\\d+") ? Integer.parseInt(name) : 0;
  }

  /** The server's URL, without a database: eucalypt's settings add one. */
  public String serverUrl() {
    return "postgresql://postgres@127.0.0.1:" + port;
  }

  public void start() {
    if (!asPostgres(BIN.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-o",
      "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1", "-l", dir.resolve("log").toString(), "-w", "start")) {
      throw new IllegalStateException("pg_ctl start failed; see " + dir.resolve("log"));
    }
  }

  public void stop() {
    if (!asPostgres(BIN.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "fast", "-w", "stop")) {
      throw new IllegalStateException("pg_ctl stop failed; see " + dir.resolve("log"));
    }
  }

  @Override
  public void close() {
    asPostgres(BIN.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop");
    Tmpfs.run("rm", "-rf", dir.toString());
  }

  private boolean asPostgres(String... command) {
    List<String> cmd = new ArrayList<>();
    if ("root".equals(System.getProperty("user.name"))) {
      cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    cmd.addAll(List.of(command));
    return Tmpfs.run(cmd.toArray(String[]::new));
  }
}
