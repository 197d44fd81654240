package com.lijiaoqiao.simulator;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The demo models the simulator advertises. Unknown names are still served as chat models. */
public final class SimCatalog {
  private static final List<SimModel> MODELS = List.of(
      new SimModel("gpt-4o-mini", SimModel.CHAT, 128_000, "openai"),
      new SimModel("gpt-4o", SimModel.CHAT, 128_000, "openai"),
      new SimModel("gpt-4.1", SimModel.CHAT, 1_047_576, "openai"),
      new SimModel("o3-mini", SimModel.CHAT, 200_000, "openai"),
      new SimModel("text-embedding-3-small", SimModel.EMBEDDING, 8_191, "openai"),
      new SimModel("text-embedding-3-large", SimModel.EMBEDDING, 8_191, "openai"),
      new SimModel("claude-sonnet-4-5", SimModel.CHAT, 200_000, "anthropic"),
      new SimModel("claude-haiku-4-5", SimModel.CHAT, 200_000, "anthropic"),
      new SimModel("claude-opus-4-1", SimModel.CHAT, 200_000, "anthropic"),
      new SimModel("deepseek-chat", SimModel.CHAT, 128_000, "deepseek"),
      new SimModel("deepseek-reasoner", SimModel.CHAT, 128_000, "deepseek"),
      new SimModel("qwen-plus", SimModel.CHAT, 131_072, "alibaba"),
      new SimModel("gemini-2.5-pro", SimModel.CHAT, 1_048_576, "google"),
      new SimModel("gemini-2.5-flash", SimModel.CHAT, 1_048_576, "google"),
      new SimModel("gemini-2.5-flash-lite", SimModel.CHAT, 1_048_576, "google"));

  private static final Map<String, SimModel> BY_NAME = new LinkedHashMap<>();

  static {
    for (SimModel m : MODELS) {
      BY_NAME.put(m.name(), m);
    }
  }

  /** Default context window assumed for models not in the catalog. */
  public static final int DEFAULT_CONTEXT_WINDOW = 128_000;

  private SimCatalog() {}

  public static List<SimModel> models() {
    return MODELS;
  }

  public static Optional<SimModel> find(String name) {
    return Optional.ofNullable(BY_NAME.get(name));
  }

  public static int contextWindow(String name) {
    SimModel m = BY_NAME.get(name);
    return m == null ? DEFAULT_CONTEXT_WINDOW : m.contextWindow();
  }

  /** Native embedding dimension: 3072 for text-embedding-3-large, 1536 otherwise. */
  public static int embeddingDimensions(String name) {
    return "text-embedding-3-large".equals(name) ? 3072 : 1536;
  }

  static String ownerOf(String name) {
    SimModel m = BY_NAME.get(name);
    if (m != null) {
      return m.owner();
    }
    if (name.startsWith("claude")) {
      return "anthropic";
    }
    if (name.startsWith("gemini")) {
      return "google";
    }
    return "simulator";
  }
}
