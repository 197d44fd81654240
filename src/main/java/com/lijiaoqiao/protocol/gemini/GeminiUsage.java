package com.lijiaoqiao.protocol.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.lijiaoqiao.protocol.Json;
import com.lijiaoqiao.protocol.TokenUsage;

/**
 * Gemini's {@code usageMetadata} both ways. Its {@code promptTokenCount} includes cached content (like OpenAI's
 * prompt_tokens) and tool-use prompts are counted apart; generated tokens are {@code candidatesTokenCount} plus
 * {@code thoughtsTokenCount} (thinking is billed as output, as every vendor bills it).
 */
public final class GeminiUsage {
  private GeminiUsage() {}

  /** Null when there is no usage object. */
  public static TokenUsage from(JsonNode u) {
    if (u == null || !u.isObject()) return null;
    long prompt = Json.num(u, "promptTokenCount") + Json.num(u, "toolUsePromptTokenCount");
    long out = Json.num(u, "candidatesTokenCount") + Json.num(u, "thoughtsTokenCount");
    return new TokenUsage(prompt, out, Json.num(u, "cachedContentTokenCount"), false, 0);
  }

  public static ObjectNode to(TokenUsage t) {
    ObjectNode u = Json.obj();
    u.put("promptTokenCount", t.promptTokens());
    u.put("candidatesTokenCount", t.completionTokens());
    u.put("totalTokenCount", t.totalTokens());
    if (t.cachedPromptTokens() > 0) u.put("cachedContentTokenCount", t.cachedPromptTokens());
    return u;
  }

  /** Gemini finish reasons → the hub's (chat-completions) finish_reason. */
  static String toChat(String finish, boolean calledTools) {
    if (finish == null) return null;
    return switch (finish) {
      case "MAX_TOKENS" -> "length";
      case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY" -> "content_filter";
      default -> calledTools ? "tool_calls" : "stop"; // STOP, MALFORMED_FUNCTION_CALL, OTHER …
    };
  }

  /** The hub's finish_reason → Gemini's (a tool call ends with STOP, as Gemini's own do). */
  static String fromChat(String finish) {
    if (finish == null) return "STOP";
    return switch (finish) {
      case "length" -> "MAX_TOKENS";
      case "content_filter" -> "SAFETY";
      default -> "STOP";
    };
  }
}
