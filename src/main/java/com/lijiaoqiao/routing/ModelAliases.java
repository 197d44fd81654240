package com.lijiaoqiao.routing;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Requested model names → configured public models ({@code routing.model_aliases}), so clients' default ids
 * (dated, or newer than the configuration) reach a model the gateway serves. A key is an exact name or a pattern
 * where {@code *} stands for any run of characters ({@code claude-opus-*}). An exact key beats every pattern; among
 * patterns the longest (most literal characters) wins, ties going to the one configured first. Targets are used
 * as they are (no chains). Immutable; a name's answer is computed once and kept in a bounded cache, so the request
 * path never scans the patterns again for a name it has seen.
 */
public final class ModelAliases {
  public static final ModelAliases NONE = new ModelAliases(Map.of(), List.of());
  private static final String NO_MATCH = "";

  private record Pattern(String glob, String[] parts, int literal, int order, String target) {}

  private final Map<String, String> exact;
  private final List<Pattern> patterns;
  private final Cache<String, String> resolved = Caffeine.newBuilder().maximumSize(10_000).build();

  private ModelAliases(Map<String, String> exact, List<Pattern> patterns) {
    this.exact = exact;
    this.patterns = patterns;
  }

  /** @throws IllegalArgumentException for a blank key or target, or a target that is itself a pattern */
  public static ModelAliases of(Map<String, String> aliases) {
    if (aliases == null || aliases.isEmpty()) return NONE;
    Map<String, String> exact = new HashMap<>();
    List<Pattern> patterns = new ArrayList<>();
    int order = 0;
    for (var e : aliases.entrySet()) {
      String key = e.getKey() == null ? "" : e.getKey().trim();
      String target = e.getValue() == null ? "" : e.getValue().trim();
      if (key.isEmpty() || target.isEmpty()) {
        throw new IllegalArgumentException("routing.model_aliases: every alias needs a name and a target model");
      }
      if (target.contains("*")) {
        throw new IllegalArgumentException("routing.model_aliases." + key + ": the target '" + target
            + "' must be a configured model, not a pattern");
      }
      if (!key.contains("*")) {
        exact.put(key, target);
        continue;
      }
      String[] parts = key.split("\\*", -1);
      patterns.add(new Pattern(key, parts, key.length() - (parts.length - 1), order++, target));
    }
    patterns.sort(Comparator.comparingInt(Pattern::literal).reversed().thenComparingInt(Pattern::order));
    return new ModelAliases(Map.copyOf(exact), List.copyOf(patterns));
  }

  public boolean isEmpty() {
    return exact.isEmpty() && patterns.isEmpty();
  }

  /** The configured model the name is an alias of, or null. */
  public String target(String requested) {
    if (isEmpty()) return null;
    String t = resolved.get(requested, this::compute);
    return t.isEmpty() ? null : t;
  }

  private String compute(String name) {
    String t = exact.get(name);
    if (t != null) return t;
    for (Pattern p : patterns) {
      if (matches(p.parts(), name)) return p.target();
    }
    return NO_MATCH;
  }

  /** Glob match: the parts between stars appear in order, the first at the start and the last at the end. */
  static boolean matches(String[] parts, String name) {
    String first = parts[0];
    String last = parts[parts.length - 1];
    if (!name.startsWith(first)) return false;
    int end = name.length() - last.length();
    if (end < first.length() || !name.endsWith(last)) return false;
    int at = first.length();
    for (int i = 1; i < parts.length - 1; i++) {
      int found = name.indexOf(parts[i], at);
      if (found < 0 || found + parts[i].length() > end) return false;
      at = found + parts[i].length();
    }
    return true;
  }
}
