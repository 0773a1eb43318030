package org.eucalypt.id;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.UUID;

/**
 * Public ids in Gumnut's format: a type prefix and the row's UUID as 22 characters of
 * shortuuid's base-57 alphabet ({@code lib_BM3nUmJ6fkBqBADyz5FEiu}). Clients that decode Gumnut
 * ids back into UUIDs (the immich adapter does) therefore work against eucalypt too.
 *
 * <p>New UUIDs are version 7, time-ordered, so the primary-key indexes stay append-mostly.
 */
public enum Ids {
  USER("intuser_"), LIBRARY("lib_"), ASSET("asset_"), API_KEY("apikey_"), ASSET_VERSION("asset_version_");

  private static final String ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  private static final BigInteger BASE = BigInteger.valueOf(ALPHABET.length());
  private static final int LENGTH = 22;
  private static final BigInteger MAX = BigInteger.ONE.shiftLeft(128);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final String prefix;

  Ids(String prefix) {
    this.prefix = prefix;
  }

  public String format(UUID uuid) {
    return prefix + encode(uuid);
  }

  /** The UUID behind a public id, or empty when it is malformed or has another type's prefix. */
  public Optional<UUID> parse(String id) {
    if (id == null || !id.startsWith(prefix) || id.length() != prefix.length() + LENGTH) {
      return Optional.empty();
    }
    return decode(id.substring(prefix.length()));
  }

  /** A fresh time-ordered (version 7) UUID. */
  public static UUID newUuid() {
    long millis = System.currentTimeMillis();
    long msb = (millis << 16) | 0x7000L | (RANDOM.nextLong() & 0x0FFFL);
    long lsb = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(msb, lsb);
  }

  static String encode(UUID uuid) {
    BigInteger n = toUnsigned(uuid);
    char[] out = new char[LENGTH];
    for (int i = LENGTH - 1; i >= 0; i--) {
      BigInteger[] qr = n.divideAndRemainder(BASE);
      out[i] = ALPHABET.charAt(qr[1].intValue());
      n = qr[0];
    }
    return new String(out);
  }

  static Optional<UUID> decode(String s) {
    BigInteger n = BigInteger.ZERO;
    for (int i = 0; i < s.length(); i++) {
      int digit = ALPHABET.indexOf(s.charAt(i));
      if (digit < 0) {
        return Optional.empty();
      }
      n = n.multiply(BASE).add(BigInteger.valueOf(digit));
    }
    if (n.compareTo(MAX) >= 0) {
      return Optional.empty();
    }
    return Optional.of(new UUID(n.shiftRight(64).longValue(), n.longValue()));
  }

  private static BigInteger toUnsigned(UUID uuid) {
    BigInteger hi = BigInteger.valueOf(uuid.getMostSignificantBits()).and(BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE));
    BigInteger lo = BigInteger.valueOf(uuid.getLeastSignificantBits()).and(BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE));
    return hi.shiftLeft(64).or(lo);
  }
}
