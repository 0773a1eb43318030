package org.eucalypt.bus;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class JsonTest {
  /** What Json.time wrote before it wrote the digits itself. */
  private static final DateTimeFormatter REFERENCE = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSXXX");

  @Test
  void timesAreUtcWithMicrosecondsWhateverTheirOffset() {
    assertEquals("2026-11-23T08:01:02.123456Z",
      Json.time(OffsetDateTime.of(2026, 11, 23, 9, 1, 2, 123_456_789, ZoneOffset.ofHours(1))));
    assertEquals("0001-01-01T00:00:00.000000Z", Json.time(OffsetDateTime.of(1, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC)));
    assertEquals("1999-12-31T23:59:59.999999Z",
      Json.time(OffsetDateTime.of(2000, 1, 1, 5, 29, 59, 999_999_000, ZoneOffset.ofHoursMinutes(5, 30))));
    assertNull(Json.time(null));
  }

  @Test
  void timesMatchTheFormatterOverManyInstants() {
    Random random = new Random(42);
    for (int i = 0; i < 100_000; i++) {
      long seconds = random.nextLong(Instant.parse("0000-01-01T00:00:00Z").getEpochSecond(),
        Instant.parse("9999-12-31T23:59:59Z").getEpochSecond());
      OffsetDateTime t = Instant.ofEpochSecond(seconds, random.nextInt(1_000_000_000))
        .atOffset(ZoneOffset.ofTotalSeconds(random.nextInt(-18 * 3600, 18 * 3600) / 60 * 60));
      assertEquals(REFERENCE.format(t.withOffsetSameInstant(ZoneOffset.UTC)), Json.time(t), t.toString());
    }
  }
}
