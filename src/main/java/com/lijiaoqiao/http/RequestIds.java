package com.lijiaoqiao.http;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/** Request ids unique across nodes and restarts: a random node part and a counter, "req_<node><seq>". */
public final class RequestIds {
  private static final String NODE;
  private static final AtomicLong SEQ = new AtomicLong();

  static {
    SecureRandom r = new SecureRandom();
    StringBuilder sb = new StringBuilder(10);
    String alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";
    for (int i = 0; i < 10; i++) sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
    NODE = sb.toString();
  }

  private RequestIds() {}

  public static String next() {
    return "req_" + NODE + Long.toString(SEQ.incrementAndGet(), 36);
  }
}
