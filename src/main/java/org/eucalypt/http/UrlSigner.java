package org.eucalypt.http;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;

/**
 * Signs download URLs so they work without a key (an {@code <img>} tag cannot send one). The
 * key lives in PostgreSQL, so every instance signs and checks alike. Expiry times are rounded
 * to the hour, so the same asset keeps the same URL for a while and clients can cache it.
 */
public final class UrlSigner {
  private static final Duration VALIDITY = Duration.ofHours(24);
  private static final long ROUNDING = Duration.ofHours(1).toSeconds();

  private final byte[] key;
  /**
   * One keyed Mac per thread (a Mac is not thread-safe; doFinal leaves it ready for the next):
   * looking one up and keying it for every URL showed in the profile of a page of 200 assets.
   */
  private final ThreadLocal<Mac> macs;
  private final Clock clock;

  public UrlSigner(byte[] key, Clock clock) {
    this.key = key.clone();
    this.macs = ThreadLocal.withInitial(this::newMac);
    this.clock = clock;
  }

  /** The query string ({@code expires=...&signature=...}) that grants a download of the asset. */
  public String sign(String assetId) {
    long now = clock.instant().getEpochSecond();
    long expires = (now / ROUNDING + 1) * ROUNDING + VALIDITY.toSeconds();
    return "expires=" + expires + "&signature=" + signature(assetId, expires);
  }

  public boolean verify(String assetId, String expires, String signature) {
    if (expires == null || signature == null) {
      return false;
    }
    long exp;
    try {
      exp = Long.parseLong(expires);
    } catch (NumberFormatException e) {
      return false;
    }
    if (exp < clock.instant().getEpochSecond()) {
      return false;
    }
    return MessageDigest.isEqual(signature(assetId, exp).getBytes(StandardCharsets.US_ASCII),
      signature.getBytes(StandardCharsets.UTF_8));
  }

  private String signature(String assetId, long expires) {
    byte[] sig = macs.get().doFinal((assetId + ":" + expires).getBytes(StandardCharsets.UTF_8));
    return Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
  }



  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
