package org.eucalypt.support;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

/**
 * What a test needs from the machine (a browser, root, PostgreSQL's server binaries). On a
 * developer's machine a missing one skips the test; under {@code CI=true} it fails it, so that CI
 * never passes by running less than it seems to.
 */
public final class Prerequisite {
  private Prerequisite() {
  }

  /** Returns if {@code met}; otherwise skips the test, or fails it under {@code CI=true}. */
  public static void require(boolean met, String missing) {
    if (met) {
      return;
    }
    if ("true".equals(System.getenv("CI"))) {
      fail("a prerequisite is missing, and CI=true runs every test: " + missing);
    }
    abort(missing);
  }

  /**
   * The rendition tools and the fixtures' makers: under CI a missing one fails the test (.ci/run
   * installs them); elsewhere the test is skipped, saying what to install.
   */
  public static void requireTools(String... names) {
    java.util.List<String> missing = new java.util.ArrayList<>();
    for (String name : names) {
      boolean found = false;
      for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
        found |= !dir.isEmpty() && java.nio.file.Files.isExecutable(java.nio.file.Path.of(dir, name));
      }
      if (!found) {
        missing.add(name);
      }
    }
    require(missing.isEmpty(), "missing " + missing
      + ": apt-get install libvips-tools ffmpeg libheif-examples libimage-exiftool-perl (.ci/run installs them)");
  }
}
