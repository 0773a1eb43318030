package org.eucalypt.rendition;

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

  /**
   * 200 megapixels: beyond any camera sold today (the largest phone sensors are 200 MP), so a
   * file over it is a panorama stitch or a decompression bomb; either would take gigabytes to decode.
   */
  public static final long DEFAULT_MAX_PIXELS = 200_000_000L;

  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);

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
  public static int defaultWorkers(int cores) {
    return Math.max(1, cores / 2);
  }

  public static RenditionLimits defaults() {
    return new RenditionLimits(defaultWorkers(Runtime.getRuntime().availableProcessors()), DEFAULT_TIMEOUT,
      DEFAULT_MAX_PIXELS);
  }
}
