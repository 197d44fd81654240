package com.lijiaoqiao.billing;

/**
 * Consumer prices of one model, per million tokens, in micro-units; and the output cap used to estimate a
 * request that does not set max_tokens. Cache reads have their own price; so may cache writes (Anthropic
 * charges them at a premium), which otherwise cost the input price.
 */
public record ModelPrice(String model, long inputPer1M, long outputPer1M, long cachedInputPer1M, int maxOutputTokens,
                         long cacheWritePer1M) {
  /** Cache writes at the input price. */
  public ModelPrice(String model, long inputPer1M, long outputPer1M, long cachedInputPer1M, int maxOutputTokens) {
    this(model, inputPer1M, outputPer1M, cachedInputPer1M, maxOutputTokens, inputPer1M);
  }

  public static ModelPrice free(String model) {
    return new ModelPrice(model, 0, 0, 0, 4096);
  }

  /** The most a request can cost: every prompt token uncached, every allowed output token produced. */
  public long estimate(long promptTokens, long maxTokens) {
    return Money.costOf(new long[] {promptTokens, maxTokens}, new long[] {inputPer1M, outputPer1M});
  }

  /** The actual cost: cached prompt tokens at the cached price, the rest at the input price. */
  public long cost(long promptTokens, long cachedPromptTokens, long completionTokens) {
    return cost(promptTokens, cachedPromptTokens, 0, completionTokens);
  }

  /**
   * The actual cost with cache writes: {@code promptTokens} counts every input token (OpenAI-style), of which
   * {@code cachedPromptTokens} were read from and {@code cacheWriteTokens} written to a prompt cache.
   */
  public long cost(long promptTokens, long cachedPromptTokens, long cacheWriteTokens, long completionTokens) {
    long cached = Math.min(Math.max(cachedPromptTokens, 0), promptTokens);
    long written = Math.min(Math.max(cacheWriteTokens, 0), promptTokens - cached);
    return Money.costOf(new long[] {promptTokens - cached - written, cached, written, completionTokens},
        new long[] {inputPer1M, cachedInputPer1M, cacheWritePer1M, outputPer1M});
  }

  /**
   * The actual cost without rounding, in 10⁻⁶ micro-units ({@link Money#exactCostOf}): what a tenant's charges
   * accumulate, so that many tiny requests cost what their tokens cost (see Wallets#chargeExact).
   */
  public long exactCost(long promptTokens, long cachedPromptTokens, long cacheWriteTokens, long completionTokens) {
    long cached = Math.min(Math.max(cachedPromptTokens, 0), Math.max(promptTokens, 0));
    long written = Math.min(Math.max(cacheWriteTokens, 0), Math.max(promptTokens, 0) - cached);
    return Money.exactCostOf(new long[] {Math.max(promptTokens, 0) - cached - written, cached, written, completionTokens},
        new long[] {inputPer1M, cachedInputPer1M, cacheWritePer1M, outputPer1M});
  }
}
