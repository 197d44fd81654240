package com.lijiaoqiao.protocol.anthropic;

import com.lijiaoqiao.protocol.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.lijiaoqiao.protocol.TokenUsage;

/**
 * Usage both ways. Anthropic's {@code input_tokens} excludes cache reads and writes; OpenAI's
 * {@code prompt_tokens} includes them, with reads in {@code prompt_tokens_details.cached_tokens}. Cache writes
 * have no OpenAI field, so they travel as {@code prompt_tokens_details.cache_creation_tokens}.
 */
public final class Usage {
  private Usage() {}

  /** Reads an Anthropic usage object (message_start's, message_delta's or a whole message's). */
  public static TokenUsage fromAnthropic(JsonNode u) {
    long input = Json.num(u, "input_tokens");
    long read = Json.num(u, "cache_read_input_tokens");
    long write = Json.num(u, "cache_creation_input_tokens");
    return new TokenUsage(input + read + write, Json.num(u, "output_tokens"), read, false, write);
  }

  /** Reads an OpenAI usage object. */
  public static TokenUsage fromOpenAi(JsonNode u) {
    JsonNode d = u == null ? null : u.get("prompt_tokens_details");
    return new TokenUsage(Json.num(u, "prompt_tokens"), Json.num(u, "completion_tokens"),
        Json.num(d, "cached_tokens"), false, Json.num(d, "cache_creation_tokens"));
  }

  public static ObjectNode toOpenAi(TokenUsage t) {
    ObjectNode u = Json.obj();
    u.put("prompt_tokens", t.promptTokens());
    u.put("completion_tokens", t.completionTokens());
    u.put("total_tokens", t.totalTokens());
    ObjectNode d = u.putObject("prompt_tokens_details");
    d.put("cached_tokens", t.cachedPromptTokens());
    if (t.cacheCreationTokens() > 0) d.put("cache_creation_tokens", t.cacheCreationTokens());
    return u;
  }

  public static ObjectNode toAnthropic(TokenUsage t) {
    ObjectNode u = Json.obj();
    u.put("input_tokens", t.uncachedPromptTokens());
    u.put("cache_creation_input_tokens", t.cacheCreationTokens());
    u.put("cache_read_input_tokens", t.cachedPromptTokens());
    u.put("output_tokens", t.completionTokens());
    return u;
  }
}
