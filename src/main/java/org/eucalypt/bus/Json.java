package org.eucalypt.bus;

import io.vertx.core.json.JsonObject;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** How values look on the wire. */
public final class Json {
  /** A value the API answers with: a data object of a service, turned into its JSON body. */
  public interface Shape {
    JsonObject toJson();
  }

  private static final DateTimeFormatter MICROS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSXXX");

  private Json() {
  }

  /** ISO 8601 in UTC with microseconds, as Gumnut writes them: {@code 2026-11-23T08:01:02.123456Z}. */
  public static String time(OffsetDateTime t) {
    return t == null ? null : MICROS.format(t.withOffsetSameInstant(ZoneOffset.UTC));
  }
}
