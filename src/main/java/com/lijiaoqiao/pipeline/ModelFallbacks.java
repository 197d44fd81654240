package com.lijiaoqiao.pipeline;

import com.lijiaoqiao.http.GatewayException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which public models answer, in order, when every provider of the requested one has failed: the operator's list
 * for the model ({@code routing.fallbacks}), or the caller's own ({@code x-ljq-fallbacks: m1, m2}) where the
 * operator allows it ({@code routing.request_fallbacks}). Each is billed at its own price, held again before it is
 * called; one the key may not use is skipped without a word.
 */
public final class ModelFallbacks {
  public static final ModelFallbacks NONE = new ModelFallbacks(Map.of(), false);
  static final String HEADER = "x-ljq-fallbacks";
  static final int MAX = 5;
  private static final int MAX_NAME = 128;

  private final Map<String, List<String>> configured;
  private final boolean perRequest;

  public ModelFallbacks(Map<String, List<String>> configured, boolean perRequest) {
    this.configured = Map.copyOf(configured);
    this.perRequest = perRequest;
  }

  /** The models to fall back to for this request (never the requested one itself), in order. */
  List<String> forRequest(Exchange ex) {
    // (the header was parsed and checked by Decode, before any money moved)
    List<String> list = perRequest && ex.requestedFallbacks != null ? ex.requestedFallbacks
        : configured.getOrDefault(ex.model(), List.of());
    if (list.isEmpty()) return list;
    Set<String> out = new LinkedHashSet<>(list);
    out.remove(ex.model());
    return new ArrayList<>(out);
  }

  /** A comma-separated list of at most {@value #MAX} model names; anything else is the caller's mistake (400). */
  static List<String> parse(String header) {
    List<String> out = new ArrayList<>();
    if (header.isBlank()) return out;
    for (String part : header.split(",", -1)) {
      String m = part.trim();
      if (m.isEmpty() || m.length() > MAX_NAME || !m.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
        throw GatewayException.badField(HEADER, "'" + HEADER + "' must be a comma-separated list of model names"
            + " (each 1-" + MAX_NAME + " printable characters).");
      }
      out.add(m);
    }
    if (out.size() > MAX) {
      throw GatewayException.badField(HEADER, "'" + HEADER + "' names more than " + MAX + " models.");
    }
    return out;
  }
}
