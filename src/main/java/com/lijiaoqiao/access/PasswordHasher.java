package com.lijiaoqiao.access;

import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;

/** Argon2id password hashes (memory-hard), from Spring Security's maintained implementation. */
public final class PasswordHasher {
  private static final Argon2PasswordEncoder ENCODER = Argon2PasswordEncoder.defaultsForSpringSecurity_v5_8();

  private PasswordHasher() {}

  public static String hash(String password) {
    return ENCODER.encode(password);
  }

  public static boolean matches(String password, String hash) {
    return ENCODER.matches(password, hash);
  }
}
