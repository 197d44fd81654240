package com.lijiaoqiao.http;

import java.security.SecureRandom;

/**
 * Request ids: "req_" and 22 URL-safe characters holding 128 random bits, so no one can guess or enumerate
 * other requests' ids (they appear in errors, logs and support tickets) and ids from different nodes never
 * collide. The bits come from a SecureRandom (a fast PRNG would let one id predict the next), drawn per
 * thread in blocks of 64 ids so the cost per id stays near a hundred nanoseconds with no lock shared
 * between event loops.
 */
public final class RequestIds {
  private static final char[] ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".toCharArray();
  private static final int ID_BYTES = 16;
  private static final ThreadLocal<Source> SOURCE = ThreadLocal.withInitial(Source::new);

  private RequestIds() {}

  public static String next() {
    return SOURCE.get().next();
  }

  /** One thread's random bytes. */
  private static final class Source {
    private final SecureRandom random = new SecureRandom();
    private final byte[] block = new byte[ID_BYTES * 64];
    private int at = block.length;

    String next() {
      if (at == block.length) {
        random.nextBytes(block);
        at = 0;
      }
      char[] out = new char[4 + 22];
      "req_".getChars(0, 4, out, 0);
      int o = 4;
      // 16 bytes as base64url without padding: five groups of 3 bytes (4 characters each), then 1 byte (2).
      for (int g = 0; g < 5; g++, at += 3) {
        int v = (block[at] & 0xff) << 16 | (block[at + 1] & 0xff) << 8 | (block[at + 2] & 0xff);
        out[o++] = ALPHABET[v >>> 18];
        out[o++] = ALPHABET[v >>> 12 & 63];
        out[o++] = ALPHABET[v >>> 6 & 63];
        out[o++] = ALPHABET[v & 63];
      }
      int last = block[at++] & 0xff;
      out[o++] = ALPHABET[last >>> 2];
      out[o] = ALPHABET[(last & 3) << 4];
      return new String(out);
    }
  }
}
