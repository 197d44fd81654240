package com.lijiaoqiao.protocol;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Removes secrets from text that came from elsewhere (an upstream's error message, a model name it reported)
 * before the gateway repeats it to a client, a log or the database. Two layers: every credential this process
 * has been given (upstream keys, learnt as providers are installed) is removed as an exact value and as any
 * fragment of {@value #FRAGMENT} or more characters, then anything shaped like a key is removed.
 *
 * <p>The learnt set is process-wide and only grows: a rotated-out credential is still never repeated.
 */
public final class SecretScrubber {
  /** Fragments of a credential this long or longer are redacted wherever they appear. */
  static final int FRAGMENT = 8;
  /** Credentials shorter than this are too common as text to redact (e.g. "none", "test"). */
  static final int MIN_SECRET = 6;
  static final int MAX_OUT = 500;
  static final String REDACTED = "[redacted]";

  private static final Pattern KEYS = Pattern.compile(
      "(?i)(sk-[A-Za-z0-9_\\-*]{6,}|lgw-[A-Za-z0-9…*]{4,}|sk-ant-[A-Za-z0-9_\\-*]{6,}|Bearer\\s+[A-Za-z0-9._\\-*]{8,}"
          + "|(api[_-]?key|token|secret|password)[\"']?\\s*[:=]\\s*[\"']?[A-Za-z0-9._\\-*]{8,})");

  /** Every FRAGMENT-long window of every learnt credential; short credentials whole. */
  private static final Set<String> fragments = ConcurrentHashMap.newKeySet();
  private static final Set<String> shortSecrets = ConcurrentHashMap.newKeySet();

  private SecretScrubber() {}

  /** Makes a credential one that is never repeated (no-op for null, blank or very short values). */
  public static void learn(String secret) {
    if (secret == null) return;
    String s = secret.strip();
    if (s.length() < MIN_SECRET) return;
    if (s.length() < FRAGMENT) {
      shortSecrets.add(s);
      return;
    }
    for (int i = 0; i + FRAGMENT <= s.length(); i++) fragments.add(s.substring(i, i + FRAGMENT));
  }

  /** The text without learnt credentials and key-shaped strings, clipped to {@value #MAX_OUT} characters. */
  public static String scrub(String text) {
    if (text == null) return null;
    String s = text.length() > 4 * MAX_OUT ? text.substring(0, 4 * MAX_OUT) : text;
    s = removeLearnt(s);
    s = KEYS.matcher(s).replaceAll(REDACTED);
    return s.length() > MAX_OUT ? s.substring(0, MAX_OUT) + "…" : s;
  }

  /** True when the text holds nothing {@link #scrub} would remove (used for values stored as they are). */
  public static boolean clean(String text) {
    if (text == null) return true;
    return removeLearnt(text).equals(text) && !KEYS.matcher(text).find();
  }

  private static String removeLearnt(String s) {
    if (fragments.isEmpty() && shortSecrets.isEmpty()) return s;
    boolean[] hit = null;
    int n = s.length();
    if (!fragments.isEmpty()) {
      for (int i = 0; i + FRAGMENT <= n; i++) {
        if (fragments.contains(s.substring(i, i + FRAGMENT))) {
          if (hit == null) hit = new boolean[n];
          for (int j = i; j < i + FRAGMENT; j++) hit[j] = true;
        }
      }
    }
    for (String secret : shortSecrets) {
      for (int at = s.indexOf(secret); at >= 0; at = s.indexOf(secret, at + 1)) {
        if (hit == null) hit = new boolean[n];
        for (int j = at; j < at + secret.length(); j++) hit[j] = true;
      }
    }
    if (hit == null) return s;
    StringBuilder out = new StringBuilder(n);
    for (int i = 0; i < n; ) {
      if (hit[i]) {
        out.append(REDACTED);
        while (i < n && hit[i]) i++;
      } else {
        out.append(s.charAt(i++));
      }
    }
    return out.toString();
  }
}
