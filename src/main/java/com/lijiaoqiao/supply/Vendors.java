package com.lijiaoqiao.supply;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The vendors a supplier may register an account with: each names the upstream kind the gateway speaks to it and,
 * where the vendor has one, its public base URL (a supplier may give another, e.g. a regional endpoint).
 */
public final class Vendors {
  /** A vendor: its adapter kind and default base URL (null when the supplier must give one). */
  public record Vendor(String name, String kind, String defaultBaseUrl) {}

  private static final Map<String, Vendor> ALL = new LinkedHashMap<>();

  static {
    add("openai", "openai-compatible", "https://api.openai.com/v1");
    add("deepseek", "openai-compatible", "https://api.deepseek.com/v1");
    add("qwen", "openai-compatible", "https://dashscope.aliyuncs.com/compatible-mode/v1");
    add("moonshot", "openai-compatible", "https://api.moonshot.cn/v1");
    add("zhipu", "openai-compatible", "https://open.bigmodel.cn/api/paas/v4");
    add("doubao", "openai-compatible", "https://ark.cn-beijing.volces.com/api/v3");
    add("openai-compatible", "openai-compatible", null);
    add("anthropic", "anthropic", "https://api.anthropic.com");
    add("gemini", "gemini", "https://generativelanguage.googleapis.com");
    // sub2api relays subscriptions behind Anthropic's Messages API (what Claude Code speaks) at its own address.
    add("sub2api", "anthropic", null);
  }

  private Vendors() {}

  private static void add(String name, String kind, String base) {
    ALL.put(name, new Vendor(name, kind, base));
  }

  /** The vendor of that name (also "dashscope" for qwen), or null. */
  public static Vendor of(String name) {
    if (name == null) return null;
    String n = name.toLowerCase(java.util.Locale.ROOT);
    if (n.equals("dashscope")) n = "qwen";
    return ALL.get(n);
  }

  public static java.util.Collection<Vendor> all() {
    return ALL.values();
  }
}
