package org.eucalypt.drain;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The drain's wait after failed ticks (a database down): doubling from the interval, capped at a minute. */
class DrainBackoffTest {
  @Test
  void doublesFromTheIntervalUpToAMinute() {
    assertEquals(10_000, DrainVerticle.backoff(10_000, 1));
    assertEquals(20_000, DrainVerticle.backoff(10_000, 2));
    assertEquals(40_000, DrainVerticle.backoff(10_000, 3));
    assertEquals(60_000, DrainVerticle.backoff(10_000, 4));
    assertEquals(60_000, DrainVerticle.backoff(10_000, 1000));
  }

  @Test
  void aShortIntervalBacksOffFurther() {
    assertEquals(100, DrainVerticle.backoff(100, 1));
    assertEquals(800, DrainVerticle.backoff(100, 4));
    assertEquals(60_000, DrainVerticle.backoff(100, 30));
  }

  @Test
  void anIntervalLongerThanTheCapIsKept() {
    assertEquals(300_000, DrainVerticle.backoff(300_000, 5));
  }
}
