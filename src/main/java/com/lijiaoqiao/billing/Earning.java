package com.lijiaoqiao.billing;

/**
 * What a marketplace supplier earns from one request's use of one of its packages: the tokens it served and their
 * value at the package's supplier price (micro-units). Journaled with the request's settlement, so the consumer's
 * charge, the supplier's earning, the platform's share and the package's quota land in one ledger transaction.
 */
public record Earning(long packageId, long supplierId, long accountId, long promptTokens, long completionTokens,
                      long cachedTokens, long amountMicros) {
  /** What the package's quota counts: every input and output token served. */
  public long tokens() {
    long t = Math.max(0, promptTokens) + Math.max(0, completionTokens);
    return t < 0 ? Long.MAX_VALUE : t;
  }
}
