package org.eucalypt.support;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting for a condition the test cannot be told about: polled, with a deadline. */
public final class Await {
  private static final long POLL_MILLIS = 20;

  private Await() {
  }

  /** Returns once {@code condition} holds; fails if it does not within {@code within}. */
  public static void until(Duration within, BooleanSupplier condition) {
    until(within, "condition", condition);
  }

  /** As {@link #until(Duration, BooleanSupplier)}, naming {@code what} in the failure. */
  public static void until(Duration within, String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + " not met within " + within);
      }
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
