package org.eucalypt.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The callers of recently used keys, by secret hash: one cache per Vert.x instance, shared by
 * its HTTP verticles and its bus door. One per instance rather than one per verticle so that an
 * eviction is a plain method call that is over when it returns: {@link AuthVerticle}
 * acknowledges a cluster-wide eviction only once it has happened, and answers a revocation only
 * once every member acknowledged.
 */
public final class PrincipalCache {
  static final Duration TTL = Duration.ofSeconds(60);
  static final int SIZE = 10_000;
  private static final Map<Vertx, PrincipalCache> CACHES = Collections.synchronizedMap(new WeakHashMap<>());

  private final Cache<String, Caller> byHash = Caffeine.newBuilder()
    .maximumSize(SIZE)
    .expireAfterWrite(TTL)
    .build();
  /** Moves on every eviction, so a lookup that raced one does not cache what it found. */
  private final AtomicLong evictions = new AtomicLong();

  private PrincipalCache() {
  }

  public static PrincipalCache of(Vertx vertx) {
    return CACHES.computeIfAbsent(vertx, v -> new PrincipalCache());
  }

  /** The caller behind the key with this secret hash, or null. */
  public Caller get(String hash) {
    return byHash.getIfPresent(hash);
  }

  /** Taken before a lookup; {@link #put} keeps the answer only if no eviction happened since. */
  public long generation() {
    return evictions.get();
  }

  public void put(String hash, Caller caller, long generationBefore) {
    byHash.put(hash, caller);
    // An eviction between the lookup and here may have missed this entry: drop it again.
    if (evictions.get() != generationBefore) {
      byHash.invalidate(hash);
    }
  }

  public void evict(String keyId) {
    evictions.incrementAndGet();
    byHash.asMap().values().removeIf(c -> keyId.equals(c.keyId().toString()));
  }

  public void clear() {
    evictions.incrementAndGet();
    byHash.invalidateAll();
  }
}
