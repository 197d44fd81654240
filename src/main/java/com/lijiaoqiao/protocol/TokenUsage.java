package com.lijiaoqiao.protocol;

/**
 * Token counts of one request. {@code estimated} is true when the gateway counted them itself because the
 * upstream reported none (for example, a stream cut before its usage chunk).
 */
public record TokenUsage(long promptTokens, long completionTokens, long cachedPromptTokens, boolean estimated) {
  public static final TokenUsage NONE = new TokenUsage(0, 0, 0, false);

  public long totalTokens() {
    return promptTokens + completionTokens;
  }
}
