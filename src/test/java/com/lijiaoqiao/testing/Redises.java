package com.lijiaoqiao.testing;

import java.net.InetSocketAddress;
import java.net.Socket;
import org.junit.jupiter.api.Assumptions;

/** The real Redis on 127.0.0.1:6379: required in CI, skipped with a reason elsewhere when it is not running. */
public final class Redises {
  public static final String URL = System.getenv().getOrDefault("LJQ_TEST_REDIS_URL", "redis://127.0.0.1:6379");

  private Redises() {}

  public static String require() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", 6379), 1000);
    } catch (Exception e) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new IllegalStateException("Redis at " + URL + " is required in CI", e);
      }
      Assumptions.abort("Redis not reachable at " + URL + ": " + e.getMessage());
    }
    return URL;
  }
}
