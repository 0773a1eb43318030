package org.eucalypt.rendition;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What isolation promises: a crash or a hang ends one child process and one task, nothing else. */
class ChildProcessesTest {
  @TempDir
  Path dir;

  @Test
  void aCrashIsAnErrorSayingSo() {
    RenditionException e = assertThrows(RenditionException.class,
      () -> ChildProcesses.runOk(List.of("sh", "-c", "echo 'about to crash' >&2; kill -SEGV $$"), dir, Duration.ofSeconds(10)));
    assertTrue(e.getMessage().contains("killed by signal 11"), e.getMessage());
    assertTrue(e.getMessage().contains("about to crash"), e.getMessage());
  }

  @Test
  void aHangIsKilledWithEverythingItStarted() throws Exception {
    Path pidFile = dir.resolve("grandchild.pid");
    long started = System.nanoTime();
    RenditionException e = assertThrows(RenditionException.class, () -> ChildProcesses.runOk(
      List.of("sh", "-c", "sleep 60 & echo $! > " + pidFile + "; wait"), dir, Duration.ofMillis(500)));
    assertTrue(e.getMessage().contains("took longer than"), e.getMessage());
    assertTrue(System.nanoTime() - started < Duration.ofSeconds(20).toNanos(), "stopped at the timeout, not at the end");
    long grandchild = Long.parseLong(Files.readString(pidFile).strip());
    // A killed process may linger a moment as a zombie before its parent (init) reaps it.
    org.awaitility.Awaitility.await("the grandchild is gone").atMost(Duration.ofSeconds(10))
      .until(() -> ProcessHandle.of(grandchild).map(p -> !p.isAlive()).orElse(true));
    assertFalse(ProcessHandle.of(grandchild).map(ProcessHandle::isAlive).orElse(false));
  }

  @Test
  void aDecoderIsTheOomKillersFirstChoiceNotTheServer() throws Exception {
    assumeLinuxProc();
    // The score is raised just after the start: the child waits (up to 5 s) to see it, then tells.
    String score = ChildProcesses.runOk(List.of("sh", "-c",
      "for i in $(seq 100); do [ \"$(cat /proc/self/oom_score_adj)\" = 1000 ] && break; sleep 0.05; done;"
        + " cat /proc/self/oom_score_adj"), dir, Duration.ofSeconds(10));
    assertEquals("1000", score.strip());
  }

  private static void assumeLinuxProc() {
    org.eucalypt.support.Prerequisite.require(Files.isDirectory(Path.of("/proc/self")), "no Linux /proc here");
  }

  @Test
  void aMissingToolSaysWhatToInstall() {
    RenditionException e = assertThrows(RenditionException.class,
      () -> ChildProcesses.run(List.of("no-such-tool-eucalypt"), dir, Duration.ofSeconds(5)));
    assertTrue(e.getMessage().contains("install libvips-tools and ffmpeg"), e.getMessage());
  }

  @Test
  void outputIsReadWhole() throws Exception {
    String out = ChildProcesses.runOk(List.of("sh", "-c", "head -c 300000 /dev/zero | tr '\\0' x"), dir, Duration.ofSeconds(10));
    assertEquals(300000, out.length(), "more than a pipe's buffer, and no deadlock");
  }

  @Test
  void vipsLoadsTheHeifModuleButNotImageMagicksPdfsOrOpenSlides() throws Exception {
    Fixtures.requireTools("vips");
    String all = Fixtures.run(dir, "vips", "-l", "foreign");
    String ours = ChildProcesses.runOk(List.of("vips", "-l", "foreign"), dir, Duration.ofSeconds(30));
    // Debian's libvips-tools ships them as modules: what a child process sees is without them.
    if (all.contains("magickload")) {
      assertFalse(ours.contains("magickload"), "ImageMagick is not even loaded");
    }
    if (all.contains("pdfload")) {
      assertFalse(ours.contains("pdfload"), "nor poppler");
    }
    if (all.contains("openslideload")) {
      assertFalse(ours.contains("openslideload"), "nor OpenSlide");
    }
    for (String kept : List.of("heifload", "jxlload", "jpegload", "webpload", "pngload", "tiffload")) {
      assertEquals(all.contains("(" + kept + ")"), ours.contains("(" + kept + ")"), kept + " is there as before");
    }
  }

  @Test
  void decodersRunAtALowerPriorityThanTheServer() throws Exception {
    String own = Fixtures.run(dir, "nice").strip();
    String theirs = ChildProcesses.runOk(List.of("nice"), dir, Duration.ofSeconds(10)).strip();
    assertEquals(Math.min(19, Integer.parseInt(own) + 10), Integer.parseInt(theirs));
  }
}
