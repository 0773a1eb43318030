package org.eucalypt.id;

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
  USER("intuser_"), LIBRARY("lib_"), ASSET("asset_"), API_KEY("apikey_"), ASSET_VERSION("asset_version_"),
  // A library's contents and its background work. A prefix that begins another ("asset_",
  // "asset_stack_") never confuses parse: the length after it is fixed.
  ALBUM("album_"), ALBUM_ASSET("album_asset_"), STACK("asset_stack_"), PERSON("person_"), FACE("face_"),
  TASK("btask_");

  private static final String ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  private static final long BASE = ALPHABET.length();
  private static final long BASE_5 = BASE * BASE * BASE * BASE * BASE;
  private static final byte[] DIGITS = digits();
  private static final long MASK = 0xFFFF_FFFFL;
  private static final int LENGTH = 22;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final String prefix;

  Ids(String prefix) {
    this.prefix = prefix;
  }

  public String format(UUID uuid) {
    return prefix + encode(uuid);
  }

  /**
   * The id of this type for the same UUID as {@code id}, a well-formed id of type {@code other}:
   * only the prefix changes, so nothing is decoded and encoded again.
   */
  public String sameUuidAs(Ids other, String id) {
    return prefix + id.substring(other.prefix.length());
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

  // Base 57 over 128 bits, as four 32-bit limbs (most significant first) in longs: every page of
  // assets formats 50+ ids, and BigInteger arithmetic was the top of that profile. Encoding
  // divides by 57^5 at a time (five digits per pass over the limbs, then int arithmetic): four
  // passes and a last two digits, where one pass per digit took 22.
  static String encode(UUID uuid) {
    long[] limbs = limbs(uuid);
    char[] out = new char[LENGTH];
    int i = LENGTH - 1;
    for (int pass = 0; pass < 4; pass++) {
      long remainder = 0;
      for (int j = 0; j < 4; j++) {
        long current = (remainder << 32) | limbs[j];
        limbs[j] = current / BASE_5;
        remainder = current % BASE_5;
      }
      int digits = (int) remainder;
      for (int k = 0; k < 5; k++, i--) {
        out[i] = ALPHABET.charAt(digits % (int) BASE);
        digits /= (int) BASE;
      }
    }
    // What is left is below 2^128 / 57^20, less than 57^2: the first two digits.
    int rest = (int) limbs[3];
    out[1] = ALPHABET.charAt(rest % (int) BASE);
    out[0] = ALPHABET.charAt(rest / (int) BASE);
    return new String(out);
  }

  static Optional<UUID> decode(String s) {
    long[] limbs = new long[4];
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      int digit = c < DIGITS.length ? DIGITS[c] : -1;
      if (digit < 0) {
        return Optional.empty();
      }
      long carry = digit;
      for (int j = 3; j >= 0; j--) {
        long current = limbs[j] * BASE + carry;
        limbs[j] = current & MASK;
        carry = current >>> 32;
      }
      if (carry != 0) {
        return Optional.empty(); // 2^128 or more: no UUID
      }
    }
    return Optional.of(new UUID(limbs[0] << 32 | limbs[1], limbs[2] << 32 | limbs[3]));
  }

  /** Each character's digit, -1 where it is none: ALPHABET.indexOf, without the search. */
  private static byte[] digits() {
    byte[] digits = new byte[128];
    java.util.Arrays.fill(digits, (byte) -1);
    for (int d = 0; d < ALPHABET.length(); d++) {
      digits[ALPHABET.charAt(d)] = (byte) d;
    }
    return digits;
  }

  private static long[] limbs(UUID uuid) {
    long hi = uuid.getMostSignificantBits();
    long lo = uuid.getLeastSignificantBits();
    return new long[] {hi >>> 32, hi & MASK, lo >>> 32, lo & MASK};
  }
}
