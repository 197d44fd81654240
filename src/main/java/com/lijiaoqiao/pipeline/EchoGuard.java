package com.lijiaoqiao.pipeline;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * A marketplace supplier's upstream is untrusted: an answer it sends is cleared of the account's own credential before
 * a consumer sees it (bodies and each stream write; the error paths scrub every learnt credential already). Only
 * package-served answers pay for the scan, one pass per write.
 */
final class EchoGuard {
  private static final byte[] REDACTED = "[redacted]".getBytes(StandardCharsets.US_ASCII);

  private EchoGuard() {}

  /** The secret of the exchange's serving package, or null when an operator's provider serves it. */
  static byte[] secretOf(Exchange ex) {
    if (ex.target == null || ex.target.offer() == null) return null;
    byte[] s = ex.target.offer().credential();
    return s == null || s.length < 6 ? null : s;
  }

  static byte[] clear(byte[] body, byte[] secret) {
    if (secret == null) return body;
    int at = indexOf(body, secret, 0);
    if (at < 0) return body;
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(body.length);
    int from = 0;
    while (at >= 0) {
      out.write(body, from, at - from);
      out.write(REDACTED, 0, REDACTED.length);
      from = at + secret.length;
      at = indexOf(body, secret, from);
    }
    out.write(body, from, body.length - from);
    return out.toByteArray();
  }

  static Buffer clear(Buffer b, byte[] secret) {
    if (secret == null || b == null || b.length() < secret.length) return b;
    byte[] bytes = b.getBytes();
    byte[] cleared = clear(bytes, secret);
    return cleared == bytes ? b : Buffer.buffer(cleared);
  }

  private static int indexOf(byte[] hay, byte[] needle, int from) {
    byte first = needle[0];
    int last = hay.length - needle.length;
    outer:
    for (int i = from; i <= last; i++) {
      if (hay[i] != first) continue;
      for (int j = 1; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) continue outer;
      }
      return i;
    }
    return -1;
  }
}
