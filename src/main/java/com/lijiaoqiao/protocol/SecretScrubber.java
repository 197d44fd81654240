package com.lijiaoqiao.protocol;

import java.util.regex.Pattern;

/**
 * Removes anything shaped like a credential from text that came from elsewhere (an upstream's error message)
 * before the gateway repeats it to a client or a log.
 */
public final class SecretScrubber {
  private static final Pattern KEYS = Pattern.compile(
      "(?i)(sk-[A-Za-z0-9_\\-*]{6,}|lgw-[A-Za-z0-9…*]{4,}|sk-ant-[A-Za-z0-9_\\-*]{6,}|Bearer\\s+[A-Za-z0-9._\\-*]{8,}"
          + "|(api[_-]?key|token|secret)[\"']?\\s*[:=]\\s*[\"']?[A-Za-z0-9._\\-*]{8,})");

  private SecretScrubber() {}

  public static String scrub(String text) {
    if (text == null) return null;
    String s = KEYS.matcher(text).replaceAll("[redacted]");
    return s.length() > 500 ? s.substring(0, 500) + "…" : s;
  }
}
