package com.lijiaoqiao.supply;

import com.lijiaoqiao.providers.Provider;
import com.lijiaoqiao.routing.ProviderDef;
import com.lijiaoqiao.routing.ProviderService;
import com.lijiaoqiao.routing.SupplyOffer;
import com.lijiaoqiao.supply.SupplyStore.Account;
import com.lijiaoqiao.supply.SupplyStore.Package;
import com.lijiaoqiao.supply.SupplyStore.Supplier;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routing pool's marketplace part: every active package of an approved supplier on an active account, within
 * its validity and with tokens left, becomes a provider named by the package's public name, scored at the supplier's
 * price. Rebuilt on every change on this node and, from the database, each sync interval on every node (the same
 * pool everywhere within about a second). Blocking (worker threads).
 */
public final class SupplyPool {
  private static final Logger log = LoggerFactory.getLogger(SupplyPool.class);
  /** Supplier prices are compared with configured providers' prices, which are per 1M tokens in currency units. */
  private static final double MICROS = 1_000_000.0;

  private final SupplyStore store;
  private final Marketplace market;
  private final ProviderService providers;
  private final Function<ProviderDef, Provider> adapters;
  private String installed = "";

  public SupplyPool(SupplyStore store, Marketplace market, ProviderService providers,
                    Function<ProviderDef, Provider> adapters) {
    this.store = store;
    this.market = market;
    this.providers = providers;
    this.adapters = adapters;
  }

  /** Expires what is past its validity, then installs the pool if it changed. */
  public synchronized void refresh() {
    Instant now = market.clock().instant();
    List<Long> expired = store.expire(now);
    for (Long id : expired) log.info("package {} expired", id);
    Map<Long, Account> accounts = new HashMap<>();
    for (Account a : store.accounts(null, "active")) accounts.put(a.id(), a);
    Map<Long, Supplier> suppliers = new HashMap<>();
    List<ProviderDef> defs = new ArrayList<>();
    Map<String, SupplyOffer> offers = new LinkedHashMap<>();
    StringBuilder signature = new StringBuilder();
    for (Package p : store.activePackages()) {
      Account a = accounts.get(p.accountId());
      if (a == null || p.remainingTokens() <= 0) continue;
      if (p.expiresAt() != null && !p.expiresAt().isAfter(now)) continue;
      Supplier s = suppliers.computeIfAbsent(p.supplierId(), id -> store.supplier(id).orElse(null));
      if (s == null || !"approved".equals(s.status())) continue;
      Map<String, String> models = new LinkedHashMap<>();
      for (String m : p.models()) {
        String up = a.models().get(m);
        if (up != null) models.put(m, up);
      }
      if (models.isEmpty()) continue;
      String credential;
      try {
        credential = market.credentialOf(a);
      } catch (RuntimeException e) {
        log.error("the credential of supply account {} does not decrypt (was security.credential_key changed?)", a.id());
        continue;
      }
      defs.add(new ProviderDef(p.publicName(), a.kind(), a.baseUrl(), credential, models, true, true, true, 0, 0, 0.8,
          p.inputPer1M() / MICROS, p.outputPer1M() / MICROS, p.publicName(), true, "market"));
      offers.put(p.publicName(), new SupplyOffer(p.id(), p.supplierId(), a.id(), p.inputPer1M(), p.outputPer1M(),
          p.cachedInputPer1M(), p.maxConcurrency(), a.maxConcurrency(), p.rpm(), a.rpm(), a.tpm(),
          credential.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      // What routing depends on (not the tokens used, which change with every request).
      signature.append(p.id()).append('|').append(p.publicName()).append('|').append(p.models()).append('|')
          .append(p.inputPer1M()).append('|').append(p.outputPer1M()).append('|').append(p.cachedInputPer1M())
          .append('|').append(p.maxConcurrency()).append('|').append(a.id()).append('|').append(a.maxConcurrency()).append('|').append(p.rpm())
          .append('|').append(a.rpm()).append('|').append(a.tpm()).append('|').append(a.updatedAt())
          .append('|').append(a.status()).append(';');
    }
    String sig = signature.toString();
    if (sig.equals(installed)) return;
    providers.supply(new ProviderService.Supply(List.copyOf(defs), Map.copyOf(offers), adapters));
    installed = sig;
    log.info("marketplace pool: {} packages serving", defs.size());
  }

  /** Checks every active account with a real probe: a refused credential suspends it (and its packages leave). */
  public void reprobe() {
    for (Account a : store.accounts(null, "active")) {
      try {
        market.reverify(a);
      } catch (RuntimeException e) {
        log.warn("probing supply account {} failed: {}", a.id(), e.getClass().getSimpleName());
      }
    }
    refresh();
  }
}
