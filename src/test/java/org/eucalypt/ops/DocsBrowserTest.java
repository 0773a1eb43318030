package org.eucalypt.ops;

import org.eucalypt.support.Prerequisite;
import org.eucalypt.support.ServerExtension;
import org.eucalypt.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GET /docs in a real browser: headless Chromium loads the page, Swagger UI (served from the
 * jar's WebJar) renders openapi.yaml, and the library operations are on the rendered page. A
 * screenshot of it is left at target/docs-screenshot.png. Needs Chromium ({@link Prerequisite}):
 * what the page is made of is checked without it, in {@link DocsTest}.
 */
@ExtendWith(ServerExtension.class)
class DocsBrowserTest {
  @Test
  void chromiumRendersTheLibraryOperations(TestServer server) throws Exception {
    Optional<String> chromium = browser();
    Prerequisite.require(chromium.isPresent(), "Chromium (apt-get install chromium; .ci/run installs it): "
      + "the docs page was not checked in a browser");
    String url = "http://localhost:" + server.app.port() + "/docs";

    String dom = run(chromium.get(), "--dump-dom", url);
    for (String expected : List.of(
      "Move a library to trash", "Restore a library from trash", "Expedite purge on a trashed library",
      "data-path=\"/api/libraries/{library_id}/trash\"", "data-path=\"/api/libraries/{library_id}/restore\"",
      "trash_library", "restore_library", "delete_library", "create_library", "list_libraries")) {
      assertTrue(dom.contains(expected), "the rendered page lacks " + expected);
    }
    assertFalse(dom.contains("Failed to load API definition"), "Swagger UI could not load the contract");
    assertFalse(dom.contains("Could not render"), "Swagger UI failed to render part of the page");

    Path shot = Path.of("target", "docs-screenshot.png").toAbsolutePath();
    Files.deleteIfExists(shot);
    run(chromium.get(), "--window-size=1280,2000", "--hide-scrollbars", "--screenshot=" + shot, url);
    assertTrue(Files.size(shot) > 10_000, "no screenshot at " + shot);
  }

  private static Optional<String> browser() {
    for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
      for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
        Path p = Path.of(dir, name);
        if (Files.isExecutable(p)) {
          return Optional.of(p.toString());
        }
      }
    }
    return Optional.empty();
  }

  /** Runs headless Chromium with a fresh profile; answers what it printed on stdout. */
  private static String run(String chromium, String... args) throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory("eucalypt-chromium-");
    List<String> cmd = new ArrayList<>(List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu",
      "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + profile,
      // Lets the page's scripts fetch the contract and render before the DOM is taken.
      "--virtual-time-budget=10000"));
    cmd.addAll(List.of(args));
    Path err = Files.createTempFile("eucalypt-chromium-", ".log");
    Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
    byte[] out = p.getInputStream().readAllBytes();
    try {
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("Chromium did not finish within 120 s");
      }
      assertEquals(0, p.exitValue(), () -> "Chromium failed: " + read(err));
      return new String(out, StandardCharsets.UTF_8);
    } finally {
      Files.deleteIfExists(err);
      deleteTree(profile);
    }
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      return e.toString();
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (var files = Files.walk(root)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }
}
