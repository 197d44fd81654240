package com.lijiaoqiao.simulator;

/**
 * A model advertised by the simulator.
 *
 * @param name model id as used on the wire
 * @param kind {@code "chat"} or {@code "embedding"}
 * @param contextWindow context window in tokens
 * @param owner {@code owned_by} value (openai, anthropic, deepseek, alibaba)
 */
public record SimModel(String name, String kind, int contextWindow, String owner) {
  public static final String CHAT = "chat";
  public static final String EMBEDDING = "embedding";

  public boolean isEmbedding() {
    return EMBEDDING.equals(kind);
  }
}
