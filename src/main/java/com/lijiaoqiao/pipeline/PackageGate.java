package com.lijiaoqiao.pipeline;

import com.lijiaoqiao.routing.SupplyOffer;
import io.vertx.core.Future;

/**
 * Where the fail-over asks before it tries a marketplace package: the package's quota and concurrency are held
 * for the attempt (false: skip it, as used up), and given back when the attempt served nothing. The settlement
 * turns what a serving attempt held into the tokens it used (the supply room listens to settlements).
 */
public interface PackageGate {
  Future<Boolean> admit(Exchange ex, SupplyOffer offer);

  void release(Exchange ex, SupplyOffer offer);

  /** The package's upstream refused its credential (401/403): the supplier's account is checked again. */
  void credentialRefused(SupplyOffer offer);

  /** No marketplace: a package is never admitted. */
  PackageGate NONE = new PackageGate() {
    @Override
    public Future<Boolean> admit(Exchange ex, SupplyOffer offer) {
      return Future.succeededFuture(false);
    }

    @Override
    public void release(Exchange ex, SupplyOffer offer) {}

    @Override
    public void credentialRefused(SupplyOffer offer) {}
  };
}
