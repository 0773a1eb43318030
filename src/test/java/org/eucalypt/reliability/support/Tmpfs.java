package org.eucalypt.reliability.support;

import org.eucalypt.support.Prerequisite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small tmpfs mounted for one test: a real disk that fills up (ENOSPC) and can be made
 * read-only (EROFS). Needs root; without it the test is skipped, or failed under {@code CI=true}
 * ({@link Prerequisite}).
 */
public final class Tmpfs implements AutoCloseable {
  private final Path dir;

  private Tmpfs(Path dir) {
    this.dir = dir;
  }

  /** Mounts a tmpfs of {@code size} (as mount takes it: "1m") on a new directory. */
  public static Tmpfs mount(String size) throws IOException {
    Path dir = Files.createTempDirectory("eucalypt-tmpfs-");
    boolean ok = run("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0777", "tmpfs", dir.toString());
    if (!ok) {
      Files.deleteIfExists(dir);
    }
    Prerequisite.require(ok, "mounting a tmpfs (needs root): " + dir);
    return new Tmpfs(dir);
  }

  public Path dir() {
    return dir;
  }

  public void readOnly() {
    check(run("mount", "-o", "remount,ro", dir.toString()), "remount read-only");
  }

  public void readWrite() {
    check(run("mount", "-o", "remount,rw", dir.toString()), "remount read-write");
  }

  @Override
  public void close() throws IOException {
    run("umount", "-l", dir.toString());
    Files.deleteIfExists(dir);
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new IllegalStateException("could not " + what);
    }
  }

  static boolean run(String... command) {
    try {
      Process p = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return false;
      }
      if (p.exitValue() != 0) {
        System.err.println(String.join(" ", command) + ": " + out.trim());
      }
      return p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
