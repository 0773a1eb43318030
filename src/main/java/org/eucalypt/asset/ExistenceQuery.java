package org.eucalypt.asset;

import io.vertx.codegen.annotations.DataObject;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * What {@code check_existence} looks for, in one library ({@code libraryId} null: the caller's
 * only live one): exactly one of base64 SHA-256 {@code checksums}, base64 SHA-1
 * {@code checksumSha1s}, or a {@code deviceId} with its {@code deviceAssetIds}. At most
 * {@link #MAX_ITEMS} of each.
 */
@DataObject
public final class ExistenceQuery {
  public static final int MAX_ITEMS = 5000;

  private final String libraryId;
  private final List<String> checksums;
  private final List<String> checksumSha1s;
  private final String deviceId;
  private final List<String> deviceAssetIds;

  public ExistenceQuery(String libraryId, List<String> checksums, List<String> checksumSha1s, String deviceId,
                        List<String> deviceAssetIds) {
    this.libraryId = libraryId;
    this.checksums = checksums;
    this.checksumSha1s = checksumSha1s;
    this.deviceId = deviceId;
    this.deviceAssetIds = deviceAssetIds;
  }

  public String libraryId() {
    return libraryId;
  }

  public List<String> checksums() {
    return checksums;
  }

  public List<String> checksumSha1s() {
    return checksumSha1s;
  }

  public String deviceId() {
    return deviceId;
  }

  public List<String> deviceAssetIds() {
    return deviceAssetIds;
  }

  /**
   * What is wrong with the query, or null: it must name exactly one kind of key, a device id
   * goes with device asset ids, and checksums are base64.
   */
  public String problem() {
    boolean byDevice = deviceId != null || deviceAssetIds != null;
    int kinds = (checksums != null ? 1 : 0) + (checksumSha1s != null ? 1 : 0) + (byDevice ? 1 : 0);
    if (kinds != 1) {
      return "Provide exactly one of: checksums, checksum_sha1s, or deviceId with deviceAssetIds";
    }
    if (byDevice && (deviceId == null || deviceAssetIds == null)) {
      return "deviceId and deviceAssetIds must be given together";
    }
    for (List<String> list : java.util.Arrays.asList(checksums, checksumSha1s, deviceAssetIds)) {
      if (list != null && list.size() > MAX_ITEMS) {
        return "At most " + MAX_ITEMS + " items may be checked at once";
      }
    }
    String field = checksums != null ? "checksums" : "checksum_sha1s";
    List<String> sums = checksums != null ? checksums : checksumSha1s;
    for (int i = 0; sums != null && i < sums.size(); i++) {
      if (decode(sums.get(i)) == null) {
        return field + "[" + i + "] is not base64: " + sums.get(i);
      }
    }
    return null;
  }

  /** The bytes of a base64 checksum, or null when it is not base64. */
  static byte[] decode(String base64) {
    try {
      return java.util.Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The body as the SDK sends it (device fields in camelCase), with {@code library_id} from the query. */
  public ExistenceQuery(JsonObject j) {
    this(j.getString("library_id"), strings(j.getJsonArray("checksums")), strings(j.getJsonArray("checksum_sha1s")),
      j.getString("deviceId"), strings(j.getJsonArray("deviceAssetIds")));
  }

  private static List<String> strings(JsonArray a) {
    return a == null ? null : a.stream().map(String::valueOf).toList();
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("library_id", libraryId).put("deviceId", deviceId);
    if (checksums != null) {
      json.put("checksums", new JsonArray(checksums));
    }
    if (checksumSha1s != null) {
      json.put("checksum_sha1s", new JsonArray(checksumSha1s));
    }
    if (deviceAssetIds != null) {
      json.put("deviceAssetIds", new JsonArray(deviceAssetIds));
    }
    return json;
  }
}
