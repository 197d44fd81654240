package com.lijiaoqiao.billing;

/**
 * One request's final charge, as journaled and shipped to the ledger. {@code costMicros} is what the tenant
 * pays; zero for a request that produced nothing. Idempotent by {@code requestId}. {@code usage} carries the
 * request's usage record (null in journals of older versions). A {@code progress} entry is not a charge: it
 * says what a stream still in flight has relayed so far, and is charged only when the node died before the
 * stream's own settlement was journaled.
 */
public record Settlement(
    String requestId,
    long tenantId,
    long userId,
    long apiKeyId,
    String model,
    String provider,
    long promptTokens,
    long completionTokens,
    long cachedTokens,
    long cacheWriteTokens,
    boolean tokensEstimated,
    long reservedMicros,
    long costMicros,
    long createdAtMillis,
    boolean progress,
    UsageFacts usage,
    java.util.List<Earning> earnings) {

  /** A settlement no supplier earns from (null earnings: none). */
  public Settlement(String requestId, long tenantId, long userId, long apiKeyId, String model, String provider,
                    long promptTokens, long completionTokens, long cachedTokens, long cacheWriteTokens,
                    boolean tokensEstimated, long reservedMicros, long costMicros, long createdAtMillis,
                    boolean progress, UsageFacts usage) {
    this(requestId, tenantId, userId, apiKeyId, model, provider, promptTokens, completionTokens, cachedTokens,
        cacheWriteTokens, tokensEstimated, reservedMicros, costMicros, createdAtMillis, progress, usage, null);
  }

  /** The suppliers' earnings of this request; empty when no package served it. */
  public java.util.List<Earning> earningsOrEmpty() {
    return earnings == null ? java.util.List.of() : earnings;
  }

  /** A settlement without a usage record (admin tools, tests, older callers). */
  public Settlement(String requestId, long tenantId, long userId, long apiKeyId, String model, String provider,
                    long promptTokens, long completionTokens, long cachedTokens, long cacheWriteTokens,
                    boolean tokensEstimated, long reservedMicros, long costMicros, long createdAtMillis) {
    this(requestId, tenantId, userId, apiKeyId, model, provider, promptTokens, completionTokens, cachedTokens,
        cacheWriteTokens, tokensEstimated, reservedMicros, costMicros, createdAtMillis, false, null);
  }

  /** This progress entry as the final charge of a stream its node did not live to settle. */
  Settlement asFinal() {
    return new Settlement(requestId, tenantId, userId, apiKeyId, model, provider, promptTokens, completionTokens,
        cachedTokens, cacheWriteTokens, tokensEstimated, reservedMicros, costMicros, createdAtMillis, false, usage,
        earnings);
  }
}
