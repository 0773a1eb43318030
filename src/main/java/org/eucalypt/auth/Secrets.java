package org.eucalypt.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/** API key secrets: 256 random bits, shown once, kept only as a SHA-256 hash. */
public final class Secrets {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String PREFIX = "eu_";
  /** Never used itself, only copied: a MessageDigest is not safe to share between threads. */
  private static final MessageDigest SHA_256 = sha256();

  private Secrets() {
  }

  public static String newSecret() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /**
   * The hash a secret is stored and looked up by. Looking up by hash means no comparison ever
   * runs on the secret itself, so timing cannot tell how much of a wrong key was right.
   */
  public static byte[] hash(String secret) {
    try {
      // A copy of one digest: getInstance looks the algorithm up among the providers every call,
      // and every request with a key passes here.
      return ((MessageDigest) SHA_256.clone()).digest(secret.getBytes(StandardCharsets.UTF_8));
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException(e);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
