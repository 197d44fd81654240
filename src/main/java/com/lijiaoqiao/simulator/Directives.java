package com.lijiaoqiao.simulator;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Parsed per-request control directives ({@code x-ljq-sim} header and/or {@code model::...} suffix). */
final class Directives {
  static final Set<String> KEYS = Set.of(
      "latency", "ttft", "gap", "chunks", "tokens", "fault", "retry_after", "after", "times", "key", "tool_call",
      "prefill", "continue");
  static final Set<String> FAULTS = Set.of(
      "429", "500", "502", "503", "529", "401", "reset", "hang", "cut", "stall", "malformed", "no_done",
      "context_length", "content_policy", "model_not_found", "bad_body", "stream_error");
  static final Set<String> PREFILL = Set.of("accept", "refuse");
  static final Set<String> CONTINUE = Set.of("exact", "restart", "repeat_tail");

  static final Directives NONE = new Directives();

  int latency;
  int ttft;
  int gap;
  int chunks = -1;
  int tokens = -1;
  String fault;
  int retryAfter = -1;
  int after = -1;
  int times = -1;
  String key;
  int toolCall;
  /** {@code prefill=refuse}: a request ending with an assistant message gets a 400. */
  boolean prefillRefuse;
  /** {@code continue=…}: how a continuation request is answered ({@code exact}, {@code restart}, {@code repeat_tail}). */
  String continueMode = "exact";

  /** Thrown for unknown keys or invalid values; the message names the offending key. */
  static final class BadDirective extends RuntimeException {
    BadDirective(String msg) {
      super(msg, null, false, false);
    }
  }

  /** Parses "k=v;k=v,k=v" into an ordered map (later entries win). Throws BadDirective. */
  static Map<String, String> parseMap(String spec, Map<String, String> into) {
    if (spec == null) {
      return into;
    }
    int n = spec.length();
    int start = 0;
    for (int i = 0; i <= n; i++) {
      if (i == n || spec.charAt(i) == ';' || spec.charAt(i) == ',') {
        String part = spec.substring(start, i).replace(" ", "").replace("\t", "");
        start = i + 1;
        if (part.isEmpty()) {
          continue;
        }
        int eq = part.indexOf('=');
        String k = eq < 0 ? part : part.substring(0, eq);
        String v = eq < 0 ? "" : part.substring(eq + 1);
        k = k.toLowerCase(java.util.Locale.ROOT);
        if (!KEYS.contains(k)) {
          throw new BadDirective("Unknown simulator directive '" + k + "' (known: " + String.join(", ", new java.util.TreeSet<>(KEYS)) + ")");
        }
        if (eq < 0 || v.isEmpty()) {
          throw new BadDirective("Simulator directive '" + k + "' needs a value (" + k + "=...)");
        }
        into.put(k, v);
      }
    }
    return into;
  }

  /**
   * Builds the effective directives: the model suffix first, then the header (or, when the request has no header of its
   * own, the global control directives) on top.
   */
  static Directives of(String suffix, String headerOrGlobal) {
    if ((suffix == null || suffix.isEmpty()) && (headerOrGlobal == null || headerOrGlobal.isEmpty())) {
      return NONE;
    }
    Map<String, String> m = new LinkedHashMap<>();
    parseMap(suffix, m);
    parseMap(headerOrGlobal, m);
    Directives d = new Directives();
    for (Map.Entry<String, String> e : m.entrySet()) {
      String k = e.getKey();
      String v = e.getValue();
      switch (k) {
        case "latency" -> d.latency = nonNeg(k, v);
        case "ttft" -> d.ttft = nonNeg(k, v);
        case "gap" -> d.gap = nonNeg(k, v);
        case "chunks" -> d.chunks = Math.max(1, nonNeg(k, v));
        case "tokens" -> d.tokens = Math.max(1, nonNeg(k, v));
        case "retry_after" -> d.retryAfter = nonNeg(k, v);
        case "after" -> d.after = nonNeg(k, v);
        case "times" -> d.times = nonNeg(k, v);
        case "tool_call" -> d.toolCall = nonNeg(k, v);
        case "key" -> d.key = v;
        case "prefill" -> d.prefillRefuse = oneOf(k, v, PREFILL).equals("refuse");
        case "continue" -> d.continueMode = oneOf(k, v, CONTINUE);
        case "fault" -> {
          String f = v.toLowerCase(java.util.Locale.ROOT);
          if (!FAULTS.contains(f)) {
            throw new BadDirective("Unknown simulator fault '" + v + "' for directive 'fault' (known: "
                + String.join(", ", new java.util.TreeSet<>(FAULTS)) + ")");
          }
          d.fault = f;
        }
        default -> throw new BadDirective("Unknown simulator directive '" + k + "'");
      }
    }
    if (d.times >= 0 && d.key == null) {
      d.key = "spec:" + m;
    }
    return d;
  }

  private static String oneOf(String k, String v, Set<String> allowed) {
    String x = v.toLowerCase(java.util.Locale.ROOT);
    if (!allowed.contains(x)) {
      throw new BadDirective("Simulator directive '" + k + "' must be one of " + new java.util.TreeSet<>(allowed)
          + ", got '" + v + "'");
    }
    return x;
  }

  private static int nonNeg(String k, String v) {
    try {
      int i = Integer.parseInt(v);
      if (i < 0) {
        throw new NumberFormatException();
      }
      return i;
    } catch (NumberFormatException e) {
      throw new BadDirective("Simulator directive '" + k + "' needs a non-negative integer, got '" + v + "'");
    }
  }

  int afterOr(int dflt) {
    return after >= 0 ? after : dflt;
  }
}
