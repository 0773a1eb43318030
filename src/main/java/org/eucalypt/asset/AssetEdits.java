package org.eucalypt.asset;

import io.vertx.core.json.JsonObject;

/**
 * The rules an {@link AssetChange} must meet, in one place: the HTTP layer answers a broken one
 * with 422 at its location before anything runs, and the service refuses it too (BAD_REQUEST),
 * for callers that come by the bus.
 */
public final class AssetEdits {
  private AssetEdits() {
  }

  /**
   * What is wrong with a change, as pydantic would report it: {@code field} null for the change
   * as a whole (a position given by half).
   */
  public record Problem(String field, String message, String type, Object input) {
  }

  /** The first problem of the change, or null when it is acceptable. */
  public static Problem problem(AssetChange c) {
    if (c.hasLatitude() != c.hasLongitude() || (c.hasLatitude() && (c.latitude() == null) != (c.longitude() == null))) {
      return new Problem(null, "Value error, latitude and longitude must be set together, or cleared together",
        "value_error", positionOf(c));
    }
    if (c.latitude() != null && !(c.latitude() >= -90 && c.latitude() <= 90)) {
      return new Problem("latitude", "Input should be between -90 and 90", "value_error", c.latitude());
    }
    if (c.longitude() != null && !(c.longitude() >= -180 && c.longitude() <= 180)) {
      return new Problem("longitude", "Input should be between -180 and 180", "value_error", c.longitude());
    }
    if (c.originalDatetime() != null && WallClock.parse(c.originalDatetime()) == null) {
      return new Problem("original_datetime", "Input should be a valid datetime", "datetime_from_date_parsing",
        c.originalDatetime());
    }
    return null;
  }

  private static JsonObject positionOf(AssetChange c) {
    JsonObject given = new JsonObject();
    if (c.hasLatitude()) {
      given.put("latitude", c.latitude());
    }
    if (c.hasLongitude()) {
      given.put("longitude", c.longitude());
    }
    return given;
  }
}
