package org.eucalypt.rendition;

import org.eucalypt.config.Settings;

import java.time.Duration;

/**
 * How much rendering may take: {@code workers} child processes at once, each killed after
 * {@code timeout}, and no image or video frame larger than {@code maxPixels} decoded at all.
 *
 * @param workers    at most this many renditions run at once, one decoder process each
 * @param timeout    a decoder still running after this is killed and its task fails
 * @param maxPixels  width x height above this fails the task from the file's header, before decoding
 */
public record RenditionLimits(int workers, Duration timeout, long maxPixels) {

  public RenditionLimits {
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be at least 1");
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive");
    }
    if (maxPixels < 1) {
      throw new IllegalArgumentException("maxPixels must be positive");
    }
  }

  /** Half the cores, at least one: the other half stays with the API and the database. */
  private static int defaultWorkers(int cores) {
    return Math.max(1, cores / 2);
  }

  /** From the settings; {@code rendition_workers} 0 means {@link #defaultWorkers} of this machine's cores. */
  public static RenditionLimits of(Settings settings) {
    int workers = settings.renditionWorkers() > 0 ? settings.renditionWorkers()
      : defaultWorkers(Runtime.getRuntime().availableProcessors());
    return new RenditionLimits(workers, settings.renditionTimeout(), settings.renditionMaxPixels());
  }
}
