package com.lijiaoqiao.routing;

/**
 * A marketplace package as a route: the supplier's capacity on one of its upstream accounts, at the supplier's
 * own prices (micro-units per 1M tokens). The router scores it like any provider (its cost is the supplier
 * price); the request path holds the package's quota before an attempt and credits the supplier after it.
 * {@code maxConcurrency} (the package's) and {@code accountMaxConcurrency} (shared by every package of the account):
 * 0 = no limit; so are the package's {@code rpm} and the account's declared {@code accountRpm} / {@code accountTpm}.
 * Holds no identity a consumer could see: only ids. {@code credential} is the account's credential (in memory only,
 * as in a provider definition): a supplier's upstream is untrusted, so whatever it answers is cleared of it.
 */
public record SupplyOffer(long packageId, long supplierId, long accountId, long inputPer1M, long outputPer1M,
                          long cachedInputPer1M, int maxConcurrency, int accountMaxConcurrency, int rpm,
                          int accountRpm, int accountTpm, byte[] credential) {
  /** Never prints the credential (records would). */
  @Override
  public String toString() {
    return "SupplyOffer[package=" + packageId + ", account=" + accountId + "]";
  }


  /** What the supplier earns for this usage, exact (10⁻⁶ µ): cache reads at the cached price, writes at input. */
  public long exactEarning(long promptTokens, long cachedPromptTokens, long completionTokens) {
    long prompt = Math.max(promptTokens, 0);
    long cached = Math.min(Math.max(cachedPromptTokens, 0), prompt);
    return com.lijiaoqiao.billing.Money.exactCostOf(new long[] {prompt - cached, cached, Math.max(completionTokens, 0)},
        new long[] {inputPer1M, cachedInputPer1M, outputPer1M});
  }
}
