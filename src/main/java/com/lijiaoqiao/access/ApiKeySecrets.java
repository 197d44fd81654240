package com.lijiaoqiao.access;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Makes platform keys ("lgw-" + 43 random base62 characters) and hashes them with HMAC-SHA256 under a
 * server secret, so a leaked database alone cannot be used to test guesses offline.
 */
public final class ApiKeySecrets {
  public static final String PREFIX = "lgw-";
  private static final char[] ALPHABET =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
  private static final int RANDOM_CHARS = 43; // ~256 bits
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKeySpec secret;
  private final ThreadLocal<Mac> macs;

  public ApiKeySecrets(byte[] serverSecret) {
    if (serverSecret.length < 32) {
      throw new IllegalArgumentException("the key-hashing secret must be at least 32 bytes");
    }
    this.secret = new SecretKeySpec(serverSecret.clone(), "HmacSHA256");
    this.macs = ThreadLocal.withInitial(() -> {
      try {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(secret);
        return mac;
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  public static String newKey() {
    StringBuilder sb = new StringBuilder(PREFIX.length() + RANDOM_CHARS).append(PREFIX);
    for (int i = 0; i < RANDOM_CHARS; i++) {
      sb.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
    }
    return sb.toString();
  }

  /** A plausible key shape: checked before hashing so junk never costs an HMAC or a lookup. */
  public static boolean wellFormed(String key) {
    if (key == null || key.length() != PREFIX.length() + RANDOM_CHARS || !key.startsWith(PREFIX)) {
      return false;
    }
    for (int i = PREFIX.length(); i < key.length(); i++) {
      char c = key.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) return false;
    }
    return true;
  }

  /** What may be shown of a key after creation: "lgw-AbCd…wxyz". */
  public static String displayPrefix(String key) {
    return key.substring(0, PREFIX.length() + 4) + "…" + key.substring(key.length() - 4);
  }

  public String hash(String key) {
    Mac mac = macs.get();
    return HexFormat.of().formatHex(mac.doFinal(key.getBytes(StandardCharsets.US_ASCII)));
  }
}
