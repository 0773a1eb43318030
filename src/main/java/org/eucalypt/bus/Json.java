package org.eucalypt.bus;

import io.vertx.core.json.JsonObject;

import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** How values look on the wire. */
public final class Json {
  /** A value the API answers with: a data object of a service, turned into its JSON body. */
  public interface Shape {
    JsonObject toJson();
  }

  /** Years outside 0-9999, which PostgreSQL can hold and four digits cannot. */
  private static final DateTimeFormatter LONG_YEARS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'");

  private Json() {
  }

  /**
   * ISO 8601 in UTC with microseconds, as Gumnut writes them: {@code 2026-11-23T08:01:02.123456Z}.
   * Written digit by digit: every timestamp of every answer passes here, and a DateTimeFormatter
   * took a tenth of a microsecond each (GET /api/libraries/{id} has four).
   */
  public static String time(OffsetDateTime t) {
    if (t == null) {
      return null;
    }
    // Not atZoneSameInstant: through a ZonedDateTime, that built a ZoneRules for every call.
    LocalDateTime u = t.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
    if (u.getYear() < 0 || u.getYear() > 9999) {
      return LONG_YEARS.format(u);
    }
    char[] c = new char[27];
    digits(c, 0, u.getYear(), 4);
    c[4] = '-';
    digits(c, 5, u.getMonthValue(), 2);
    c[7] = '-';
    digits(c, 8, u.getDayOfMonth(), 2);
    c[10] = 'T';
    digits(c, 11, u.getHour(), 2);
    c[13] = ':';
    digits(c, 14, u.getMinute(), 2);
    c[16] = ':';
    digits(c, 17, u.getSecond(), 2);
    c[19] = '.';
    digits(c, 20, u.getNano() / 1000, 6);
    c[26] = 'Z';
    return new String(c);
  }

  private static void digits(char[] c, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      c[i] = (char) ('0' + value % 10);
      value /= 10;
    }
  }
}
