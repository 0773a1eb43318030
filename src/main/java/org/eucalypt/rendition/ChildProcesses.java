package org.eucalypt.rendition;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the decoders (libvips, ffmpeg) as child processes: a crash on a hostile file, an endless
 * loop or a runaway allocation ends that process and fails that one task, never the server.
 * Output goes to files in the task's work directory, so a chatty decoder can never block on a
 * full pipe.
 */
final class ChildProcesses {
  /** The end of a decoder's complaint is where it says what went wrong. */
  private static final int MAX_ERROR_CHARS = 400;

  /**
   * libvips: one thread per process (the pool is where parallelism is decided), and none of the
   * loaders libvips itself marks untrusted (ImageMagick, PDF, SVG...), which are not hardened
   * against hostile input.
   */
  private static final Map<String, String> ENVIRONMENT = Map.of(
    "VIPS_CONCURRENCY", "1",
    "VIPS_BLOCK_UNTRUSTED", "1");

  /**
   * Renditions are background work: their decoders run at a lower CPU priority than the server
   * (and its database), so API requests go first when both want a core, and a decoder takes
   * whatever is left, which on an idle machine is everything. {@code nice} execs the tool: same
   * process, same pid, same limits.
   */
  private static final List<String> NICE =
    Files.isExecutable(Path.of("/usr/bin/nice")) ? List.of("/usr/bin/nice", "-n", "10") : List.of();
  /** nice's exit status when it cannot find the command (as the shell's). */
  private static final int NOT_FOUND = 127;

  private ChildProcesses() {
  }

  record Result(int exit, String stdout, String stderr) {
  }

  /**
   * Runs {@code command} in {@code workDir}; answers its exit status and output. A process still
   * running after {@code timeout} is killed with all its descendants, and the task fails.
   */
  static Result run(List<String> command, Path workDir, Duration timeout) throws RenditionException {
    Path out = workDir.resolve("stdout-" + System.nanoTime());
    Path err = workDir.resolve("stderr-" + System.nanoTime());
    List<String> niced = new ArrayList<>(NICE);
    niced.addAll(command);
    ProcessBuilder builder = new ProcessBuilder(niced).directory(workDir.toFile())
      .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
      .redirectOutput(out.toFile())
      .redirectError(err.toFile());
    builder.environment().putAll(ENVIRONMENT);
    builder.environment().putAll(VipsModules.environment());
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new RenditionException(command.get(0) + " cannot be run (" + e.getMessage()
        + "); install libvips-tools and ffmpeg");
    }
    offerToTheOomKiller(process);
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        killTree(process);
        throw RenditionException.retryable(command.get(0) + " took longer than " + timeout.toSeconds()
          + " s and was stopped");
      }
      Result r = new Result(process.exitValue(), read(out), read(err));
      if (!NICE.isEmpty() && r.exit() == NOT_FOUND && r.stderr().startsWith(NICE.get(0) + ":")) {
        throw new RenditionException(command.get(0) + " cannot be run (" + r.stderr().strip()
          + "); install libvips-tools and ffmpeg");
      }
      return r;
    } catch (InterruptedException e) {
      killTree(process);
      Thread.currentThread().interrupt();
      throw new RenditionException(command.get(0) + " was interrupted");
    } finally {
      deleteQuietly(out);
      deleteQuietly(err);
    }
  }

  /** Runs {@code command}; a non-zero exit (or death by a signal) fails with what it printed. */
  static String runOk(List<String> command, Path workDir, Duration timeout) throws RenditionException {
    Result r = run(command, workDir, timeout);
    if (r.exit() != 0) {
      throw new RenditionException(command.get(0) + " failed (" + exitDescription(r.exit()) + "): "
        + lastChars(r.stderr().strip()));
    }
    return r.stdout();
  }

  /**
   * A decoder that runs away with memory must be what the kernel's OOM killer takes, never the
   * server: the child is made its first choice (raising a score needs no privilege). Set just
   * after the start, before the decoder has read much; where /proc is not Linux's, nothing.
   */
  private static void offerToTheOomKiller(Process process) {
    try {
      Files.writeString(Path.of("/proc", Long.toString(process.pid()), "oom_score_adj"), "1000");
    } catch (IOException | UnsupportedOperationException e) {
      // not Linux, or the process has already ended
    }
  }

  /** The shell's convention, which Java follows: 128 + n is death by signal n (SIGSEGV = 139). */
  private static String exitDescription(int exit) {
    return exit > 128 ? "killed by signal " + (exit - 128) : "exit status " + exit;
  }

  private static void killTree(Process process) {
    // Descendants first: once the parent is gone they are re-parented and harder to find.
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String lastChars(String s) {
    String oneLine = s.replaceAll("\\s+", " ");
    return oneLine.length() <= MAX_ERROR_CHARS ? oneLine : "..." + oneLine.substring(oneLine.length() - MAX_ERROR_CHARS);
  }

  private static String read(Path file) {
    try {
      // Not readString: a decoder may print bytes of the file's own metadata that are not UTF-8.
      return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // in the task's work directory, which is removed as a whole afterwards
    }
  }
}
