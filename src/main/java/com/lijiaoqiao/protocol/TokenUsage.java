package com.lijiaoqiao.protocol;

/**
 * Token counts of one request. {@code estimated} is true when the gateway counted them itself because the
 * upstream reported none (for example, a stream cut before its usage chunk).
 *
 * <p>{@code promptTokens} counts every input token, OpenAI-style: cached reads ({@code cachedPromptTokens},
 * Anthropic's {@code cache_read_input_tokens}) and cache writes ({@code cacheCreationTokens}, Anthropic's
 * {@code cache_creation_input_tokens}) included.
 */
public record TokenUsage(long promptTokens, long completionTokens, long cachedPromptTokens, boolean estimated,
                         long cacheCreationTokens) {
  public static final TokenUsage NONE = new TokenUsage(0, 0, 0, false);

  public TokenUsage(long promptTokens, long completionTokens, long cachedPromptTokens, boolean estimated) {
    this(promptTokens, completionTokens, cachedPromptTokens, estimated, 0);
  }

  /** Both counts together (a rescued answer's parts): estimated when either was. */
  public TokenUsage plus(TokenUsage o) {
    return new TokenUsage(promptTokens + o.promptTokens, completionTokens + o.completionTokens,
        cachedPromptTokens + o.cachedPromptTokens, estimated || o.estimated, cacheCreationTokens + o.cacheCreationTokens);
  }

  public long totalTokens() {
    return promptTokens + completionTokens;
  }

  /** Input tokens neither read from nor written to a prompt cache (Anthropic's {@code input_tokens}). */
  public long uncachedPromptTokens() {
    return Math.max(0, promptTokens - cachedPromptTokens - cacheCreationTokens);
  }
}
