package com.lijiaoqiao.billing;

/**
 * Consumer prices of one model, per million tokens, in micro-units; and the output cap used to estimate a
 * request that does not set max_tokens.
 */
public record ModelPrice(String model, long inputPer1M, long outputPer1M, long cachedInputPer1M, int maxOutputTokens) {
  public static ModelPrice free(String model) {
    return new ModelPrice(model, 0, 0, 0, 4096);
  }

  /** The most a request can cost: every prompt token uncached, every allowed output token produced. */
  public long estimate(long promptTokens, long maxTokens) {
    return Money.costOf(new long[] {promptTokens, maxTokens}, new long[] {inputPer1M, outputPer1M});
  }

  /** The actual cost: cached prompt tokens at the cached price, the rest at the input price. */
  public long cost(long promptTokens, long cachedPromptTokens, long completionTokens) {
    long cached = Math.min(Math.max(cachedPromptTokens, 0), promptTokens);
    return Money.costOf(new long[] {promptTokens - cached, cached, completionTokens},
        new long[] {inputPer1M, cachedInputPer1M, outputPer1M});
  }
}
