package org.eucalypt.rendition;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Which of libvips' loadable modules each {@code vips} process loads: only those whose loaders are
 * of use here (HEIF for HEIC and AVIF, JPEG XL), not ImageMagick, PDF or OpenSlide, whose loaders
 * are blocked anyway ({@code VIPS_BLOCK_UNTRUSTED}). Loading ImageMagick alone is a third of a
 * {@code vipsheader}'s CPU time, and a rendition runs four or five vips processes.
 *
 * <p>libvips looks for its modules under {@code $VIPSHOME}: a private directory of links to the
 * modules kept is made once per JVM. It is used only if libvips then offers exactly the same
 * usable (trusted) loaders and savers as with every module; otherwise, or if anything here fails,
 * nothing is set and libvips loads all its modules as installed.
 */
final class VipsModules {
  private static final Logger LOG = LoggerFactory.getLogger(VipsModules.class);
  /** The modules whose loaders are trusted (vips-heif.so, vips-jxl.so): the only ones linked. */
  private static final Pattern KEPT = Pattern.compile("vips-(heif|jxl)\\.so");
  /** libvips' own account of where it looks (VIPS_INFO=1). */
  private static final Pattern LIBDIR = Pattern.compile("VIPS_LIBDIR = (.+)");
  private static final Pattern SEARCHING = Pattern.compile("searching \"(.+/(vips-modules-[0-9.]+))\"");

  private VipsModules() {
  }

  private static final class Holder {
    static final Map<String, String> ENVIRONMENT = prepare();
  }

  /** {@code VIPSHOME} for every vips process, or nothing where trimming is not possible or not the same. */
  static Map<String, String> environment() {
    return Holder.ENVIRONMENT;
  }

  private static Map<String, String> prepare() {
    try {
      Path home = Files.createTempDirectory("eucalypt-vipshome-");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(home)));
      String info = run(Map.of("VIPSHOME", home.toString(), "VIPS_INFO", "1"), "vips", "--version");
      Matcher libdir = LIBDIR.matcher(info);
      Matcher searched = SEARCHING.matcher(info);
      if (!libdir.find() || !searched.find()) {
        LOG.info("renditions: libvips did not say where its modules are; every vips process loads all of them");
        return Map.of();
      }
      Path installed = Path.of(libdir.group(1).strip(), searched.group(2));
      Path trimmed = Path.of(searched.group(1));
      Files.createDirectories(trimmed);
      List<String> kept = new ArrayList<>();
      if (Files.isDirectory(installed)) {
        try (Stream<Path> modules = Files.list(installed)) {
          for (Path m : modules.toList()) {
            if (KEPT.matcher(m.getFileName().toString()).matches()) {
              Files.createSymbolicLink(trimmed.resolve(m.getFileName()), m);
              kept.add(m.getFileName().toString());
            }
          }
        }
      }
      Map<String, String> env = Map.of("VIPSHOME", home.toString());
      if (!trustedOperations(env).equals(trustedOperations(Map.of()))) {
        LOG.info("renditions: libvips offers other loaders without its untrusted modules; every vips process loads all of them");
        return Map.of();
      }
      LOG.info("renditions: vips processes load only the modules {} of {}", kept, installed);
      return env;
    } catch (IOException | RuntimeException e) {
      LOG.info("renditions: every vips process loads all libvips modules ({})", e.toString());
      return Map.of();
    }
  }

  /** What libvips can load and save, less what it blocks as untrusted (and their abstract bases). */
  private static List<String> trustedOperations(Map<String, String> env) throws IOException {
    return run(env, "vips", "-l", "foreign").lines()
      .filter(l -> !l.contains("untrusted"))
      .map(String::strip)
      .sorted()
      .toList();
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // a few links in the temporary directory
    }
  }

  private static String run(Map<String, String> env, String... command) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
      .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    builder.environment().putAll(env);
    builder.environment().put("VIPS_BLOCK_UNTRUSTED", "1");
    Process p = builder.start();
    try {
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException(String.join(" ", command) + " failed");
      }
      return new String(out, StandardCharsets.UTF_8);
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
    }
  }
}
