package org.eucalypt.config;

import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;

/**
 * Every setting eucalypt reads, parsed and checked once at start.
 *
 * <p>Each key of {@code config/eucalypt.json} (for example {@code drain_batch_size}) can be
 * overridden by the environment variable {@code EUCALYPT_} + the key in upper case
 * ({@code EUCALYPT_DRAIN_BATCH_SIZE}). A bad value stops the start with a message that names
 * the variable, so an operator knows exactly what to fix.
 */
public record Settings(
  int httpPort,
  int httpInstances,
  String publicUrl,
  String databaseUrl,
  int databasePoolSize,
  String storageDir,
  Duration trashRetention,
  Duration assetTrashRetention,
  Long userStorageLimit,
  Duration drainInterval,
  int drainBatchSize,
  int drainBatchesPerTick,
  Integer bridgePort,
  String bridgeHost,
  long maxBodyBytes,
  long maxUploadBytes,
  String clusterHost,
  Integer clusterPort,
  List<String> clusterMembers,
  int clusterBusPort,
  String storage,
  String s3Endpoint,
  String s3Bucket,
  String s3Region,
  Duration shutdownGrace,
  Duration shutdownTimeout,
  int renditionWorkers,
  Duration renditionTimeout,
  long renditionMaxPixels,
  JsonObject source) {

  /**
   * Every setting: its config key, in the order the README documents them, and what it means, in
   * one line for {@code --help} (README.md says more). The one table of settings.
   */
  public static final Map<String, String> MEANING = table(
    "http_port", "HTTP port (0: any free port)",
    "http_instances", "HTTP verticles; 0 = one per core",
    "public_url", "base of download URLs; empty = each request's Host",
    "database_url", "PostgreSQL URL; the database is created if missing",
    "database_pool_size", "connections in the shared pool",
    "storage_dir", "where stored files live (blobs/) and uploads stage (staging/)",
    "trash_retention", "how long a trashed library can be restored (ISO 8601)",
    "asset_trash_retention", "how long a trashed asset can be restored (ISO 8601)",
    "user_storage_limit", "default bytes per account; empty = unlimited",
    "drain_interval", "time between drain ticks (ISO 8601)",
    "drain_batch_size", "assets deleted per drain batch (one transaction)",
    "drain_batches_per_tick", "batches per drain tick",
    "bridge_port", "TCP event-bus bridge port; empty = off",
    "bridge_host", "address the bridge binds to",
    "max_body_bytes", "largest JSON body",
    "max_upload_bytes", "largest uploaded file",
    "cluster_host", "this member's cluster address (bind and advertised)",
    "cluster_port", "this member's Hazelcast port; empty = not clustered",
    "cluster_members", "comma-separated host:port of the members to join",
    "cluster_bus_port", "clustered event bus TCP port; 0 = any free port",
    "storage", "local (storage_dir) or s3",
    "s3_endpoint", "S3-compatible endpoint URL; empty = AWS",
    "s3_bucket", "bucket for stored files (storage=s3)",
    "s3_region", "S3 region",
    "shutdown_grace", "on SIGTERM, time answering not-ready before the listener closes",
    "shutdown_timeout", "on SIGTERM, longest wait for in-flight requests to finish",
    "rendition_workers", "processes making renditions at once; 0 = half the cores (at least 1)",
    "rendition_timeout", "longest a decoder may run on one file (ISO 8601)",
    "rendition_max_pixels", "largest picture (width x height) decoded; larger fails its task");

  /** The config keys, in order. */
  public static final List<String> KEYS = List.copyOf(MEANING.keySet());

  private static Map<String, String> table(String... keyThenMeaning) {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < keyThenMeaning.length; i += 2) {
      out.put(keyThenMeaning[i], keyThenMeaning[i + 1]);
    }
    return Collections.unmodifiableMap(out);
  }

  public static String envName(String key) {
    return "EUCALYPT_" + key.toUpperCase(Locale.ROOT);
  }

  /** Parses a merged configuration whose keys are the config-file keys. */
  public static Settings from(JsonObject c) {
    return new Settings(
      intIn(c, "http_port", 0, 65535),
      intIn(c, "http_instances", 0, 256),
      url(c, "public_url"),
      databaseUrl(c, "database_url"),
      intIn(c, "database_pool_size", 1, 1000),
      nonBlank(c, "storage_dir"),
      positiveDuration(c, "trash_retention"),
      positiveDuration(c, "asset_trash_retention"),
      optionalBytes(c, "user_storage_limit"),
      positiveDuration(c, "drain_interval"),
      intIn(c, "drain_batch_size", 1, 100_000),
      intIn(c, "drain_batches_per_tick", 1, 100_000),
      raw(c, "bridge_port").isEmpty() ? null : intIn(c, "bridge_port", 0, 65535),
      nonBlank(c, "bridge_host"),
      longIn(c, "max_body_bytes", 1, Long.MAX_VALUE),
      longIn(c, "max_upload_bytes", 1, Long.MAX_VALUE),
      nonBlank(c, "cluster_host"),
      raw(c, "cluster_port").isEmpty() ? null : intIn(c, "cluster_port", 1, 65535),
      members(c, "cluster_members"),
      intIn(c, "cluster_bus_port", 0, 65535),
      storage(c),
      s3Endpoint(c),
      raw(c, "s3_bucket"),
      raw(c, "s3_region"),
      // Zero is allowed: no wait between "not ready" and closing the listener (tests, or no load balancer).
      duration(c, "shutdown_grace", true),
      positiveDuration(c, "shutdown_timeout"),
      intIn(c, "rendition_workers", 0, 1024),
      positiveDuration(c, "rendition_timeout"),
      longIn(c, "rendition_max_pixels", 1, Long.MAX_VALUE),
      c.copy());
  }

  /** Clustered (the event bus shared with the other instances) when this member has a cluster port. */
  public boolean clustered() {
    return clusterPort != null;
  }

  public boolean s3() {
    return "s3".equals(storage);
  }

  /** Comma-separated {@code host:port} of the cluster's members; this one may be among them. */
  private static List<String> members(JsonObject c, String key) {
    String v = raw(c, key);
    if (v.isEmpty()) {
      return List.of();
    }
    List<String> out = new java.util.ArrayList<>();
    for (String m : v.split(",")) {
      String member = m.trim();
      int colon = member.lastIndexOf(':');
      boolean ok = colon > 0 && colon < member.length() - 1;
      if (ok) {
        try {
          int port = Integer.parseInt(member.substring(colon + 1));
          ok = port > 0 && port <= 65535;
        } catch (NumberFormatException e) {
          ok = false;
        }
      }
      if (!ok) {
        throw new InvalidSetting(key, "must be comma-separated host:port pairs such as 10.0.0.1:5701,10.0.0.2:5701, got '"
          + member + "'");
      }
      out.add(member);
    }
    return List.copyOf(out);
  }

  /** {@code local} (a directory every instance mounts) or {@code s3}, which then needs a bucket. */
  private static String storage(JsonObject c) {
    String v = raw(c, "storage").toLowerCase(Locale.ROOT);
    if (!v.equals("local") && !v.equals("s3")) {
      throw new InvalidSetting("storage", "must be local or s3, got '" + v + "'");
    }
    if (v.equals("s3") && raw(c, "s3_bucket").isEmpty()) {
      throw new InvalidSetting("s3_bucket", "must name a bucket when EUCALYPT_STORAGE is s3");
    }
    return v;
  }

  /** Empty: AWS's own endpoint for the region; else an S3-compatible service's URL. */
  private static String s3Endpoint(JsonObject c) {
    String v = raw(c, "s3_endpoint");
    if (v.isEmpty()) {
      return "";
    }
    try {
      URI u = new URI(v);
      if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
        throw new InvalidSetting("s3_endpoint", "must be an http(s) URL such as https://s3.example.org, got '" + v + "'");
      }
    } catch (java.net.URISyntaxException e) {
      throw new InvalidSetting("s3_endpoint", "must be an http(s) URL, got '" + v + "'");
    }
    return v;
  }

  /** The same settings with one key changed, checked like any other value. */
  public Settings with(String key, Object value) {
    if (!KEYS.contains(key)) {
      throw new IllegalArgumentException("no setting named " + key);
    }
    return from(source.copy().put(key, value));
  }

  /** How many HTTP verticles to deploy: the configured number, or one per core. */
  public int effectiveHttpInstances() {
    return httpInstances > 0 ? httpInstances : Runtime.getRuntime().availableProcessors();
  }

  private static String raw(JsonObject c, String key) {
    Object v = c.getValue(key);
    if (v == null) {
      throw new InvalidSetting(key, "is missing");
    }
    return String.valueOf(v).trim();
  }

  private static long longIn(JsonObject c, String key, long min, long max) {
    String v = raw(c, key);
    long n;
    try {
      n = Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new InvalidSetting(key, "must be a whole number, got '" + v + "'");
    }
    if (n < min || n > max) {
      throw new InvalidSetting(key, "must be between " + min + " and " + max + ", got " + n);
    }
    return n;
  }

  private static int intIn(JsonObject c, String key, int min, int max) {
    return (int) longIn(c, key, min, max);
  }

  /** A number of bytes, or empty for no limit. */
  private static Long optionalBytes(JsonObject c, String key) {
    return raw(c, key).isEmpty() ? null : longIn(c, key, 0, Long.MAX_VALUE);
  }

  private static String nonBlank(JsonObject c, String key) {
    String v = raw(c, key);
    if (v.isEmpty()) {
      throw new InvalidSetting(key, "must not be empty");
    }
    return v;
  }

  private static Duration positiveDuration(JsonObject c, String key) {
    return duration(c, key, false);
  }

  private static Duration duration(JsonObject c, String key, boolean zeroAllowed) {
    String v = raw(c, key);
    Duration d;
    try {
      d = Duration.parse(v);
    } catch (DateTimeParseException e) {
      throw new InvalidSetting(key, "must be an ISO 8601 duration such as P90D or PT10S, got '" + v + "'");
    }
    if (d.isNegative()) {
      throw new InvalidSetting(key, "must not be negative, got '" + v + "'");
    }
    if (d.isZero() && !zeroAllowed) {
      throw new InvalidSetting(key, "must be longer than zero, got '" + v + "'");
    }
    return d;
  }

  private static String url(JsonObject c, String key) {
    String v = raw(c, key);
    if (v.isEmpty()) {
      return "";
    }
    try {
      URI u = new URI(v);
      if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
        throw new InvalidSetting(key, "must be an http(s) URL such as https://photos.example.org, got '" + v + "'");
      }
    } catch (java.net.URISyntaxException e) {
      throw new InvalidSetting(key, "must be an http(s) URL, got '" + v + "'");
    }
    return v.endsWith("/") ? v.substring(0, v.length() - 1) : v;
  }

  private static String databaseUrl(JsonObject c, String key) {
    String v = nonBlank(c, key);
    try {
      DatabaseUrl.parse(v);
    } catch (IllegalArgumentException e) {
      throw new InvalidSetting(key, e.getMessage());
    }
    return v;
  }

  /** A setting that cannot be used; the message names the environment variable that sets it. */
  public static final class InvalidSetting extends IllegalArgumentException {
    public InvalidSetting(String key, String problem) {
      super(envName(key) + " (" + key + " in config/eucalypt.json) " + problem);
    }
  }
}
