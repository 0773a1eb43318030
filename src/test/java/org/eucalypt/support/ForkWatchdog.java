package org.eucalypt.support;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

import java.time.Duration;
import java.util.Timer;
import java.util.TimerTask;

/**
 * Ends a test JVM still running {@code -Deucalypt.test.fork.timeout} seconds (pom.xml: the same
 * as Surefire's and Failsafe's forkedProcessTimeoutInSeconds) after it started, plus a grace.
 * Those plugins then dump the fork's threads into target/*-reports, but do not end it
 * (SUREFIRE-1722, apache/maven-surefire#2049): without this, a fork stuck where no JUnit timeout
 * reaches (an extension's close, a non-daemon thread at exit) would eat CI's 90 minutes. It exits
 * first, so shutdown hooks stop the processes tests started, and halts if even that hangs.
 * Registered in META-INF/services; a run without the property (an IDE's) is left alone.
 */
public final class ForkWatchdog implements LauncherSessionListener {
  /** After the plugins' own deadline: their thread dump comes first. */
  private static final Duration GRACE = Duration.ofSeconds(30);

  @Override
  public void launcherSessionOpened(LauncherSession session) {
    Long seconds = Long.getLong("eucalypt.test.fork.timeout");
    if (seconds == null) {
      return;
    }
    Timer timer = new Timer("fork-watchdog", true);
    timer.schedule(new TimerTask() {
      @Override
      public void run() {
        System.err.println("fork-watchdog: this test JVM ran longer than " + seconds + " s; ending it");
        new Thread(() -> Runtime.getRuntime().exit(1), "fork-watchdog-exit").start();
        timer.schedule(new TimerTask() {
          @Override
          public void run() {
            Runtime.getRuntime().halt(1);
          }
        }, GRACE.toMillis());
      }
    }, Duration.ofSeconds(seconds).plus(GRACE).toMillis());
  }
}
