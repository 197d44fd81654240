package com.lijiaoqiao.supply;

import com.lijiaoqiao.pipeline.Exchange;
import com.lijiaoqiao.pipeline.PackageGate;
import com.lijiaoqiao.routing.SupplyOffer;
import io.vertx.core.Future;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongConsumer;

/**
 * The request path's door into the marketplace: an attempt on a package holds the request's most possible tokens
 * (prompt plus max_tokens, as its money reservation does) on the package's quota.
 */
public final class SupplyGate implements PackageGate {
  private final PackageQuotas quotas;
  private final java.util.function.ToLongFunction<Exchange> maxTokens;
  private final LongConsumer recheckAccount;
  /** Accounts already being checked after a refused credential (one check at a time per account). */
  private final java.util.Set<Long> checking = ConcurrentHashMap.newKeySet();

  public SupplyGate(PackageQuotas quotas, java.util.function.ToLongFunction<Exchange> maxTokens,
                    LongConsumer recheckAccount) {
    this.quotas = quotas;
    this.maxTokens = maxTokens;
    this.recheckAccount = recheckAccount;
  }

  @Override
  public Future<Boolean> admit(Exchange ex, SupplyOffer offer) {
    long estimate = ex.promptTokens() + maxTokens.applyAsLong(ex);
    return quotas.hold(ex.requestId, offer.packageId(), estimate, offer.maxConcurrency());
  }

  @Override
  public void release(Exchange ex, SupplyOffer offer) {
    quotas.release(ex.requestId, offer.packageId());
  }

  @Override
  public void credentialRefused(SupplyOffer offer) {
    if (checking.add(offer.accountId())) {
      try {
        recheckAccount.accept(offer.accountId());
      } finally {
        checking.remove(offer.accountId());
      }
    }
  }
}
