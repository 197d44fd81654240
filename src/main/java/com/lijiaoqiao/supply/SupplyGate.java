package com.lijiaoqiao.supply;

import com.lijiaoqiao.limits.RateLimiter;
import com.lijiaoqiao.pipeline.Exchange;
import com.lijiaoqiao.pipeline.PackageGate;
import com.lijiaoqiao.routing.SupplyOffer;
import io.vertx.core.Future;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The request path's door into the marketplace: an attempt on a package passes the supplier's declared limits and
 * holds the request's most possible tokens (prompt plus max_tokens, as its money reservation does) on its quota.
 */
public final class SupplyGate implements PackageGate, com.lijiaoqiao.billing.SettlementListener {
  /** What an admitted attempt charged its account's TPM (estimated), corrected by the real use at settlement. */
  private record Charged(long accountId, int tpm, long estimate) {}

  private final java.util.Map<String, java.util.List<Charged>> charged = new ConcurrentHashMap<>();

  private final PackageQuotas quotas;
  private final RateLimiter packageLimits;
  private final RateLimiter accountLimits;
  private final java.util.function.ToLongFunction<Exchange> maxTokens;
  private final java.util.function.LongFunction<Future<?>> recheckAccount;
  /** Accounts already being checked after a refused credential (one check at a time per account). */
  private final java.util.Set<Long> checking = ConcurrentHashMap.newKeySet();

  /** @param recheckAccount probes the account again off the event loop (a refused credential suspends it) */
  public SupplyGate(PackageQuotas quotas, RateLimiter packageLimits, RateLimiter accountLimits,
                    java.util.function.ToLongFunction<Exchange> maxTokens,
                    java.util.function.LongFunction<Future<?>> recheckAccount) {
    this.packageLimits = packageLimits;
    this.accountLimits = accountLimits;
    this.quotas = quotas;
    this.maxTokens = maxTokens;
    this.recheckAccount = recheckAccount;
  }

  @Override
  public Future<Boolean> admit(Exchange ex, SupplyOffer offer) {
    long estimate = ex.promptTokens() + maxTokens.applyAsLong(ex);
    if (offer.rpm() <= 0 && offer.accountRpm() <= 0 && offer.accountTpm() <= 0) {
      return quotas.hold(ex.requestId, offer, estimate);
    }
    // The supplier's declared limits (every node's, through Redis when configured): a package over its RPM, or an
    // account over its RPM or TPM, sits the request out like a used-up package.
    return limit(packageLimits, offer.packageId(), offer.rpm(), 0, 0).compose(pkgOk -> {
      if (!pkgOk) return Future.succeededFuture(false);
      return limit(accountLimits, offer.accountId(), offer.accountRpm(), offer.accountTpm(), estimate).compose(accOk -> {
        if (!accOk) {
          if (offer.rpm() > 0) packageLimits.giveBack(offer.packageId(), offer.rpm(), 0, 0);
          return Future.succeededFuture(false);
        }
        return quotas.hold(ex.requestId, offer, estimate).map(held -> {
          if (held && offer.accountTpm() > 0) {
            charged.computeIfAbsent(ex.requestId, k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                .add(new Charged(offer.accountId(), offer.accountTpm(), estimate));
          }
          if (!held) {
            if (offer.rpm() > 0) packageLimits.giveBack(offer.packageId(), offer.rpm(), 0, 0);
            if (offer.accountRpm() > 0 || offer.accountTpm() > 0) {
              accountLimits.giveBack(offer.accountId(), offer.accountRpm(), offer.accountTpm(), estimate);
            }
          }
          return held;
        });
      });
    });
  }

  private static Future<Boolean> limit(RateLimiter limiter, long id, int rpm, int tpm, long tokens) {
    if (rpm <= 0 && tpm <= 0) return Future.succeededFuture(true);
    return limiter.acquire(id, rpm, tpm, tokens).map(RateLimiter.Decision::allowed)
        .recover(t -> Future.succeededFuture(true)); // limits unreachable: availability first, as for keys
  }

  /** The account's TPM learns what the request really used (its estimate was taken at admission). */
  @Override
  public void settled(com.lijiaoqiao.billing.Settlement s) {
    java.util.List<Charged> mine = charged.remove(s.requestId());
    if (mine == null) return;
    java.util.Map<Long, Long> used = new java.util.HashMap<>();
    for (com.lijiaoqiao.billing.Earning e : s.earningsOrEmpty()) used.merge(e.accountId(), e.tokens(), Long::sum);
    for (Charged c : mine) {
      Long u = used.remove(c.accountId()); // one attempt's use per account: the others served nothing
      accountLimits.adjust(c.accountId(), c.tpm(), (u == null ? 0 : u) - c.estimate());
    }
  }

  @Override
  public void release(Exchange ex, SupplyOffer offer) {
    quotas.release(ex.requestId, offer.packageId());
  }

  @Override
  public void credentialRefused(SupplyOffer offer) {
    long id = offer.accountId();
    if (checking.add(id)) recheckAccount.apply(id).onComplete(ar -> checking.remove(id));
  }
}
