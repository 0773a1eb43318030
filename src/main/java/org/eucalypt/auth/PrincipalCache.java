package org.eucalypt.auth;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The principals of recently used keys, one cache per Vert.x instance, shared by its HTTP
 * verticles. One per instance rather than one per verticle so that an eviction is a plain method
 * call that is over when it returns: {@link AuthVerticle} acknowledges a cluster-wide eviction
 * only once it has happened, and answers a revocation only once every member acknowledged.
 */
public final class PrincipalCache {
  static final Duration TTL = Duration.ofSeconds(60);
  static final int SIZE = 10_000;
  private static final Map<Vertx, PrincipalCache> CACHES = Collections.synchronizedMap(new WeakHashMap<>());

  private record Cached(JsonObject principal, long expiresAtNanos) {
  }

  private final Map<String, Cached> byHash = new ConcurrentHashMap<>();
  /** Moves on every eviction, so a lookup that raced one does not cache what it found. */
  private final AtomicLong evictions = new AtomicLong();

  private PrincipalCache() {
  }

  public static PrincipalCache of(Vertx vertx) {
    return CACHES.computeIfAbsent(vertx, v -> new PrincipalCache());
  }

  /** The principal of the key with this secret hash, or null. */
  public JsonObject get(String hash) {
    Cached c = byHash.get(hash);
    return c != null && c.expiresAtNanos() > System.nanoTime() ? c.principal() : null;
  }

  /** Taken before a lookup; {@link #put} keeps the answer only if no eviction happened since. */
  public long generation() {
    return evictions.get();
  }

  public void put(String hash, JsonObject principal, long generationBefore) {
    if (byHash.size() >= SIZE) {
      // Crude, but bounded: a full cache starts afresh rather than tracking recency on every hit.
      byHash.clear();
    }
    byHash.put(hash, new Cached(principal, System.nanoTime() + TTL.toNanos()));
    // An eviction between the lookup and here may have missed this entry: drop it again.
    if (evictions.get() != generationBefore) {
      byHash.remove(hash);
    }
  }

  public void evict(String keyId) {
    evictions.incrementAndGet();
    byHash.values().removeIf(c -> keyId.equals(c.principal().getString("key_id")));
  }

  public void clear() {
    evictions.incrementAndGet();
    byHash.clear();
  }
}
