package com.lijiaoqiao.bench;

import io.vertx.core.buffer.Buffer;

/** The last 32 bytes of a response as it arrives, to tell whether a stream ended with its [DONE] event. */
final class StreamTail {
  private final byte[] tail = new byte[32];
  private int len;

  void append(Buffer buf) {
    int n = buf.length();
    if (n >= tail.length) {
      buf.getBytes(n - tail.length, n, tail);
      len = tail.length;
    } else {
      int keep = Math.min(len, tail.length - n);
      System.arraycopy(tail, len - keep, tail, 0, keep);
      buf.getBytes(0, n, tail, keep);
      len = keep + n;
    }
  }

  /** True when {@code needle} occurs in the kept bytes. */
  boolean contains(byte[] needle) {
    outer:
    for (int i = len - needle.length; i >= 0; i--) {
      for (int j = 0; j < needle.length; j++) {
        if (tail[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
