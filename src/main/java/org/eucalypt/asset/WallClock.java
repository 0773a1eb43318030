package org.eucalypt.asset;

import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * A time as a clock on the spot showed it (Gumnut's {@code local_datetime}: when a photo was
 * taken, in the device's own zone), with that clock's UTC offset when known, else {@code offset}
 * null. A camera's EXIF time without OffsetTimeOriginal is such a naive time: nobody knows which
 * instant it was.
 */
public record WallClock(LocalDateTime local, ZoneOffset offset) {
  private static final DateTimeFormatter WITH_OFFSET = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSXXX");
  private static final DateTimeFormatter NAIVE = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS");

  public static WallClock of(OffsetDateTime t) {
    return new WallClock(t.toLocalDateTime(), t.getOffset());
  }

  public static WallClock naive(LocalDateTime t) {
    return new WallClock(t, null);
  }

  /** ISO 8601 with an offset or {@code Z}, or without one (naive); null when it is neither. */
  public static WallClock parse(String iso) {
    try {
      return of(OffsetDateTime.parse(iso));
    } catch (DateTimeParseException e) {
      try {
        return naive(LocalDateTime.parse(iso));
      } catch (DateTimeParseException e2) {
        return null;
      }
    }
  }

  /** The instant, a naive time taken as UTC. */
  public OffsetDateTime instant() {
    return local.atOffset(offset == null ? ZoneOffset.UTC : offset);
  }

  /** With microseconds like every time the API writes; the offset only when known, {@code Z} for UTC. */
  public String format() {
    return offset == null ? NAIVE.format(local) : WITH_OFFSET.format(local.atOffset(offset));
  }
}
