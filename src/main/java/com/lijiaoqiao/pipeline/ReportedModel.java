package com.lijiaoqiao.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.lijiaoqiao.protocol.SecretScrubber;

/**
 * The model name an upstream reports in its answer is upstream text like any other: relayed and stored only
 * when it looks like a model name and holds no credential; otherwise replaced by the upstream model the
 * gateway asked for. The check is a string comparison once a stream's name has been seen.
 */
final class ReportedModel {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Names already judged acceptable: an upstream reports the same few names on every answer. Bounded. */
  private static final java.util.Set<String> ACCEPTED = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private static final int MAX_ACCEPTED = 4_096;

  private ReportedModel() {}

  static boolean acceptable(String name) {
    if (name == null) return false;
    if (ACCEPTED.contains(name)) return true;
    if (!looksLikeAName(name) || !SecretScrubber.clean(name)) return false;
    if (ACCEPTED.size() >= MAX_ACCEPTED) ACCEPTED.clear();
    ACCEPTED.add(name);
    return true;
  }

  /** 1 to 128 of {@code A-Z a-z 0-9 . _ : / @ + -}. */
  private static boolean looksLikeAName(String name) {
    int n = name.length();
    if (n == 0 || n > 128) return false;
    for (int i = 0; i < n; i++) {
      char c = name.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '.' || c == '_' || c == ':' || c == '/' || c == '@' || c == '+' || c == '-';
      if (!ok) return false;
    }
    return true;
  }

  /** The JSON object with its top-level {@code model} set to {@code model}; the input when it is not an object. */
  static byte[] rewrite(byte[] json, String model) {
    try {
      if (JSON.readTree(json) instanceof ObjectNode o) {
        o.put("model", model);
        return JSON.writeValueAsBytes(o);
      }
    } catch (java.io.IOException ignored) {
      // not JSON: left as it is (the scanner has already judged it)
    }
    return json;
  }
}
