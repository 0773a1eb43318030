package org.eucalypt.reliability.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A PostgreSQL cluster of this test's own (initdb into a temp dir, on a free port), so that it can
 * be stopped and started: the shared server on 5432 serves others and is never touched. Run as the
 * {@code postgres} user when the test runs as root. Skips the test where initdb is missing.
 */
public final class ScratchPostgres implements AutoCloseable {
  private static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");

  private final Path dir;
  private final int port;

  private ScratchPostgres(Path dir, int port) {
    this.dir = dir;
    this.port = port;
  }

  public static ScratchPostgres create() throws IOException {
    assumeTrue(Files.isExecutable(BIN.resolve("initdb")), "no initdb at " + BIN);
    Path dir = Files.createTempDirectory("eucalypt-pg-");
    assumeTrue(Tmpfs.run("chown", "postgres", dir.toString()), "cannot hand a directory to the postgres user");
    ScratchPostgres pg = new ScratchPostgres(dir, JarProcess.freePort());
    assumeTrue(pg.asPostgres(BIN.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-A", "trust",
      "-U", "postgres"), "initdb failed");
    pg.start();
    return pg;
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
