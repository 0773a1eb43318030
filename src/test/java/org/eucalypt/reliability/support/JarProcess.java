package org.eucalypt.reliability.support;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * The packaged server ({@code java -jar target/eucalypt.jar}) as a process of its own, so a test
 * can kill it for real: {@code kill -9} leaves no shutdown hook, no flush, no rollback but the
 * database's own.
 */
public final class JarProcess {
  private static final Path JAR = Path.of("target", "eucalypt.jar");

  private final Process process;
  private final int port;
  private final Path log;

  private JarProcess(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Starts the jar with these {@code EUCALYPT_*} settings on {@code port}, and waits until it is ready. */
  public static JarProcess start(Map<String, String> env, int port, Path log) {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-Xmx256m", "-jar", JAR.toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
      .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().putAll(env);
    pb.environment().put("EUCALYPT_HTTP_PORT", String.valueOf(port));
    try {
      JarProcess p = new JarProcess(pb.start(), port, log);
      p.awaitReady(90);
      return p;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public int port() {
    return port;
  }

  public long pid() {
    return process.pid();
  }

  /** Polls {@code /health/ready} until it answers 200, or fails after {@code seconds}. */
  public void awaitReady(int seconds) {
    await("eucalypt ready (its log: " + log + ")").atMost(Duration.ofSeconds(seconds))
      .until(() -> {
        if (!process.isAlive()) {
          throw new IllegalStateException("eucalypt exited with " + process.exitValue() + "; see " + log);
        }
        return status("/health/ready") == 200;
      });
  }

  /** The status of a GET on this instance, or -1 when it cannot be reached. */
  public int status(String path) {
    try {
      HttpURLConnection c = (HttpURLConnection) URI.create("http://localhost:" + port + path).toURL().openConnection();
      c.setConnectTimeout(1000);
      c.setReadTimeout(5000);
      int s = c.getResponseCode();
      c.disconnect();
      return s;
    } catch (IOException e) {
      return -1;
    }
  }

  /** SIGKILL, and waits for the process to be gone. */
  public void kill9() {
    process.destroyForcibly();
    waitGone();
  }

  /** SIGTERM (a graceful stop), and waits for the process to be gone. */
  public void term() {
    process.destroy();
    waitGone();
  }

  /** SIGTERM, without waiting: the test watches the graceful stop as it happens. */
  public void sigterm() {
    process.destroy();
  }

  /** The exit code once the process has ended, or null if it is still running after {@code seconds}. */
  public Integer awaitExit(long seconds) {
    try {
      return process.waitFor(seconds, TimeUnit.SECONDS) ? process.exitValue() : null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  public Path log() {
    return log;
  }

  private void waitGone() {
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public boolean alive() {
    return process.isAlive();
  }
}
