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
}
