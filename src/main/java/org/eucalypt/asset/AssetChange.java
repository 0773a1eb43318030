package org.eucalypt.asset;

import io.vertx.codegen.annotations.DataObject;
import io.vertx.core.json.JsonObject;

/**
 * The body of {@code update_asset}, and each {@code change} of {@code bulk_update_assets}: the
 * user-editable metadata. Only the fields present change, and an explicit null clears the edit,
 * so the file's own value shows again: each field carries whether it was given.
 * {@code originalDatetime} is ISO 8601 with an offset (kept) or without one (naive).
 */
@DataObject
public final class AssetChange {
  private final boolean hasDescription;
  private final String description;
  private final boolean hasLatitude;
  private final Double latitude;
  private final boolean hasLongitude;
  private final Double longitude;
  private final boolean hasOriginalDatetime;
  private final String originalDatetime;

  public AssetChange(boolean hasDescription, String description, boolean hasLatitude, Double latitude,
                     boolean hasLongitude, Double longitude, boolean hasOriginalDatetime, String originalDatetime) {
    this.hasDescription = hasDescription;
    this.description = description;
    this.hasLatitude = hasLatitude;
    this.latitude = latitude;
    this.hasLongitude = hasLongitude;
    this.longitude = longitude;
    this.hasOriginalDatetime = hasOriginalDatetime;
    this.originalDatetime = originalDatetime;
  }

  public boolean hasDescription() {
    return hasDescription;
  }

  public String description() {
    return description;
  }

  public boolean hasLatitude() {
    return hasLatitude;
  }

  public Double latitude() {
    return latitude;
  }

  public boolean hasLongitude() {
    return hasLongitude;
  }

  public Double longitude() {
    return longitude;
  }

  public boolean hasOriginalDatetime() {
    return hasOriginalDatetime;
  }

  public String originalDatetime() {
    return originalDatetime;
  }

  /** Whether it changes anything at all. */
  public boolean isEmpty() {
    return !hasDescription && !hasLatitude && !hasLongitude && !hasOriginalDatetime;
  }

  public AssetChange(JsonObject body) {
    this(body.containsKey("description"), body.getString("description"),
      body.containsKey("latitude"), number(body, "latitude"),
      body.containsKey("longitude"), number(body, "longitude"),
      body.containsKey("original_datetime"), body.getString("original_datetime"));
  }

  private static Double number(JsonObject body, String field) {
    Number n = body.getNumber(field);
    return n == null ? null : n.doubleValue();
  }

  /** The fields given, as the body had them (null: cleared). */
  public JsonObject toJson() {
    JsonObject json = new JsonObject();
    if (hasDescription) {
      json.put("description", description);
    }
    if (hasLatitude) {
      json.put("latitude", latitude);
    }
    if (hasLongitude) {
      json.put("longitude", longitude);
    }
    if (hasOriginalDatetime) {
      json.put("original_datetime", originalDatetime);
    }
    return json;
  }
}
