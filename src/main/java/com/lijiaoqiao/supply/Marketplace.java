package com.lijiaoqiao.supply;

import com.lijiaoqiao.billing.ModelPrice;
import com.lijiaoqiao.billing.PriceBook;
import com.lijiaoqiao.routing.CredentialCipher;
import com.lijiaoqiao.supply.SupplyException.Kind;
import com.lijiaoqiao.supply.SupplyStore.Account;
import com.lijiaoqiao.supply.SupplyStore.Package;
import com.lijiaoqiao.supply.SupplyStore.Supplier;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The supply side's rules: suppliers and their approval, upstream accounts (checked against private addresses,
 * verified by a real probe, credentials encrypted), and packages with their states and the platform's margin.
 * No HTTP, no SQL: the store and the probe are doors. Blocking (management API threads).
 */
public final class Marketplace {
  public static final Pattern PUBLIC_NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}");

  /** Settings: the platform's defaults and where a base URL is checked (the SSRF guard). */
  public record Settings(int minMarginBps, int holdDays) {}

  /** An account as a supplier sends it; null fields keep the stored value on update. */
  public record AccountInput(String name, String vendor, String baseUrl, String credential,
                             Map<String, String> models, Integer rpm, Integer tpm, Integer maxConcurrency) {}

  /** A package as a supplier sends it; null fields keep the stored value on update. */
  public record PackageInput(Long accountId, String name, List<String> models, Long quotaTokens, Long inputPer1M,
                             Long outputPer1M, Long cachedInputPer1M, Integer validDays, Integer maxConcurrency,
                             Integer rpm, String publicName) {}

  private final SupplyStore store;
  private final CredentialCipher cipher;
  private final AccountProbe probe;
  private final Consumer<String> urlCheck;
  private final PriceBook consumerPrices;
  /** Whether a configured provider has this id (a package's public name must differ). */
  private final java.util.function.Predicate<String> nameTaken;
  private final Settings settings;
  private final Clock clock;
  /** Told after every change that may move the routing pool (the pool rebuilds at once on this node). */
  private final Runnable changed;
  /** Told when a package's quota changed outside the request path (its live figure is read again). */
  private final java.util.function.LongConsumer quotaChanged;
  private final java.util.function.LongPredicate tenantExists;

  /** @param urlCheck throws IllegalArgumentException with a client-safe message for a base URL that is not allowed */
  public Marketplace(SupplyStore store, CredentialCipher cipher, AccountProbe probe, Consumer<String> urlCheck,
                     PriceBook consumerPrices, java.util.function.Predicate<String> nameTaken, Settings settings,
                     Clock clock, Runnable changed, java.util.function.LongConsumer quotaChanged,
                     java.util.function.LongPredicate tenantExists) {
    this.quotaChanged = quotaChanged;
    this.tenantExists = tenantExists;
    this.store = store;
    this.cipher = cipher;
    this.probe = probe;
    this.urlCheck = urlCheck;
    this.consumerPrices = consumerPrices;
    this.nameTaken = nameTaken;
    this.settings = settings;
    this.clock = clock;
    this.changed = changed;
  }

  public Settings settings() {
    return settings;
  }

  public Clock clock() {
    return clock;
  }

  // ---- suppliers ----

  /** The caller's supplier record, created pending on first use. */
  public Supplier supplier(long tenantId) {
    return store.ensureSupplier(tenantId);
  }

  /** A tenant's supplier record for an operator's decision: created pending if the tenant never asked; 404 if no tenant. */
  public Supplier supplierForOperator(long tenantId) {
    if (!tenantExists.test(tenantId)) throw SupplyException.notFound();
    return store.ensureSupplier(tenantId);
  }

  public int marginBps(Supplier s) {
    return s.minMarginBps() != null ? s.minMarginBps() : settings.minMarginBps();
  }

  public int holdDays(Supplier s) {
    return s.holdDays() != null ? s.holdDays() : settings.holdDays();
  }

  /** An operator's decision on a supplier: approve, suspend, margin, hold period. */
  public Supplier decide(long tenantId, String status, Integer marginBps, Integer holdDays, String note) {
    if (status != null && !List.of("pending", "approved", "suspended").contains(status)) {
      throw SupplyException.invalid("'status' must be pending, approved or suspended.");
    }
    if (marginBps != null && (marginBps < 0 || marginBps > 10_000)) {
      throw SupplyException.invalid("'min_margin_bps' must be 0-10000.");
    }
    if (holdDays != null && (holdDays < 0 || holdDays > 365)) throw SupplyException.invalid("'hold_days' must be 0-365.");
    supplierForOperator(tenantId); // an operator may decide before the supplier ever called the supply API
    Supplier s = store.updateSupplier(tenantId, status, marginBps, holdDays, note).orElseThrow(SupplyException::notFound);
    changed.run();
    return s;
  }

  // ---- accounts ----

  public Account account(long supplierId, long id) {
    Account a = store.account(id).orElseThrow(SupplyException::notFound);
    if (a.supplierId() != supplierId) throw SupplyException.notFound(); // another supplier's: as if it did not exist
    return a;
  }

  /** Registers an account: the base URL is checked, every model probed with the credential; active when it passes. */
  public Account register(long supplierId, AccountInput in) {
    supplier(supplierId);
    if (in.name() == null || in.name().isBlank()) throw SupplyException.invalid("'name' is required.");
    Vendors.Vendor vendor = vendor(in.vendor());
    String baseUrl = in.baseUrl() != null && !in.baseUrl().isBlank() ? in.baseUrl() : vendor.defaultBaseUrl();
    if (baseUrl == null) throw SupplyException.invalid("'base_url' is required for vendor " + vendor.name() + ".");
    if (in.credential() == null || in.credential().isBlank()) throw SupplyException.invalid("'credential' is required.");
    if (in.models() == null || in.models().isEmpty()) throw SupplyException.invalid("'models' must name at least one model.");
    checkUrl(baseUrl);
    AccountProbe.Report probed = verify(vendor.kind(), baseUrl, in.credential(), in.models());
    Instant now = clock.instant();
    Account a = new Account(0, supplierId, in.name(), vendor.name(), vendor.kind(), baseUrl, "", in.models(),
        orZero(in.rpm()), orZero(in.tpm()), orZero(in.maxConcurrency()), "active", null, now, probed.summary(), now, now);
    Account stored = store.insertAccount(a);
    // The credential is bound to the account id (AES-GCM associated data): it decrypts for this account only.
    Account withCredential = withCredential(stored, cipher.encrypt(aad(stored.id()), in.credential()));
    store.updateAccount(withCredential);
    changed.run();
    return withCredential;
  }

  /** Changes an account; a new base URL, credential or model list is probed again before it is saved. */
  public Account update(long supplierId, long id, AccountInput in) {
    Account old = account(supplierId, id);
    refuseIfOperatorHeld(old);
    String baseUrl = in.baseUrl() != null && !in.baseUrl().isBlank() ? in.baseUrl() : old.baseUrl();
    Map<String, String> models = in.models() != null && !in.models().isEmpty() ? in.models() : old.models();
    boolean reprobe = in.credential() != null || !baseUrl.equals(old.baseUrl()) || !models.equals(old.models());
    String credential = in.credential() != null ? in.credential() : cipher.decrypt(aad(id), old.credentialEnc());
    String status = old.status();
    Instant probedAt = old.probedAt();
    String result = old.probeResult();
    if (reprobe) {
      checkUrl(baseUrl);
      result = verify(old.kind(), baseUrl, credential, models).summary();
      status = "active"; // an account its probe had suspended is active again once a new credential passes
      probedAt = clock.instant();
    }
    Account a = new Account(id, supplierId, in.name() != null ? in.name() : old.name(), old.vendor(), old.kind(),
        baseUrl, in.credential() != null ? cipher.encrypt(aad(id), credential) : old.credentialEnc(), models,
        in.rpm() != null ? in.rpm() : old.rpm(), in.tpm() != null ? in.tpm() : old.tpm(),
        in.maxConcurrency() != null ? in.maxConcurrency() : old.maxConcurrency(), status, reprobe ? null
        : old.statusReason(), probedAt, result, old.createdAt(), clock.instant());
    store.updateAccount(a);
    changed.run();
    return a;
  }

  /** A supplier's own probe: never lifts an operator's suspension, nor revives a deleted account. */
  public Account reverifyBySupplier(long supplierId, long id) {
    Account a = account(supplierId, id);
    refuseIfOperatorHeld(a);
    return reverify(a);
  }

  /** Reason prefix of a suspension an operator decided (only an operator lifts it). */
  static final String OPERATOR = "operator: ";

  private static void refuseIfOperatorHeld(Account a) {
    if ("disabled".equals(a.status())) {
      throw new SupplyException(Kind.ACCOUNT_CONFLICT, "The account is deleted.", Map.of("status", a.status()));
    }
    if ("suspended".equals(a.status()) && a.statusReason() != null && a.statusReason().startsWith(OPERATOR)) {
      throw new SupplyException(Kind.ACCOUNT_CONFLICT, "An operator suspended the account; only an operator lifts it.",
          Map.of("status", a.status()));
    }
  }

  /** Probes an account again now (the background check, a refused credential, or its supplier's request). */
  public Account reverify(Account a) {
    if ("disabled".equals(a.status())) return a;
    String credential = cipher.decrypt(aad(a.id()), a.credentialEnc());
    AccountProbe.Report r = probe.probe(a.kind(), a.baseUrl(), credential, a.models());
    Instant now = clock.instant();
    boolean operatorHeld = "suspended".equals(a.status()) && a.statusReason() != null
        && a.statusReason().startsWith(OPERATOR);
    String status = operatorHeld ? a.status() : r.ok() ? "active" : r.credentialRefused() ? "suspended" : a.status();
    String reason = operatorHeld ? a.statusReason() : r.ok() ? null
        : r.credentialRefused() ? "the upstream refused the credential" : "probe failed";
    store.setAccountStatus(a.id(), status, reason, now, r.summary());
    if (!status.equals(a.status())) {
      store.event(com.lijiaoqiao.events.EventTypes.ACCOUNT_STATUS_CHANGED, a.supplierId(),
          Map.of("account_id", a.id(), "from", a.status(), "to", status));
      changed.run();
    }
    return store.account(a.id()).orElse(a);
  }

  /** Deletes an account: it stops serving at once; its packages are paused and stay for the statements. */
  public void delete(long supplierId, long id) {
    Account a = account(supplierId, id);
    store.setAccountStatus(a.id(), "disabled", "deleted by the supplier", a.probedAt(), a.probeResult());
    for (Package p : store.packages(supplierId, null)) {
      if (p.accountId() == id && "active".equals(p.status())) store.transition(p.id(), "active", "paused", null, null);
    }
    changed.run();
  }

  /** The operator suspends or restores an account. */
  public Account setAccountStatus(long id, String status, String reason) {
    if (!List.of("active", "suspended", "disabled").contains(status)) {
      throw SupplyException.invalid("'status' must be active, suspended or disabled.");
    }
    Account a = store.account(id).orElseThrow(SupplyException::notFound);
    store.setAccountStatus(id, status, "active".equals(status) ? null : OPERATOR + (reason == null ? status : reason),
        a.probedAt(), a.probeResult());
    if (!status.equals(a.status())) {
      store.event(com.lijiaoqiao.events.EventTypes.ACCOUNT_STATUS_CHANGED, a.supplierId(),
          Map.of("account_id", id, "from", a.status(), "to", status));
    }
    changed.run();
    return store.account(id).orElseThrow();
  }

  /** The account's credential in clear, for the routing pool only (never for a response). */
  String credentialOf(Account a) {
    return cipher.decrypt(aad(a.id()), a.credentialEnc());
  }

  private static String aad(long accountId) {
    return "supply-account:" + accountId;
  }

  private static Account withCredential(Account a, String enc) {
    return new Account(a.id(), a.supplierId(), a.name(), a.vendor(), a.kind(), a.baseUrl(), enc, a.models(), a.rpm(),
        a.tpm(), a.maxConcurrency(), a.status(), a.statusReason(), a.probedAt(), a.probeResult(), a.createdAt(),
        a.updatedAt());
  }

  private static Vendors.Vendor vendor(String name) {
    Vendors.Vendor v = Vendors.of(name == null ? "openai-compatible" : name);
    if (v == null) {
      throw SupplyException.invalid("'vendor' must be one of " + Vendors.all().stream().map(Vendors.Vendor::name).toList() + ".");
    }
    return v;
  }

  private void checkUrl(String baseUrl) {
    try {
      urlCheck.accept(baseUrl);
    } catch (IllegalArgumentException e) {
      throw new SupplyException(Kind.INVALID, e.getMessage(), Map.of("field", "base_url"));
    }
  }

  private AccountProbe.Report verify(String kind, String baseUrl, String credential, Map<String, String> models) {
    AccountProbe.Report r = probe.probe(kind, baseUrl, credential, models);
    if (r.ok()) return r;
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("models", r.statuses());
    if (r.credentialRefused()) {
      throw new SupplyException(Kind.BAD_CREDENTIAL, "The upstream refused the credential.", details);
    }
    throw new SupplyException(Kind.PROBE_FAILED, "The upstream did not answer the probe of every model.", details);
  }

  private static int orZero(Integer v) {
    return v == null ? 0 : v;
  }

  // ---- packages ----

  public Package pkg(long supplierId, long id) {
    Package p = store.pkg(id).orElseThrow(SupplyException::notFound);
    if (p.supplierId() != supplierId) throw SupplyException.notFound();
    return p;
  }

  /** A new package, in draft: its account must be the supplier's and offer its models; prices must leave the margin. */
  public Package create(long supplierId, PackageInput in) {
    Supplier s = supplier(supplierId);
    if (in.accountId() == null) throw SupplyException.invalid("'account_id' is required.");
    Account a = account(supplierId, in.accountId());
    if (in.name() == null || in.name().isBlank()) throw SupplyException.invalid("'name' is required.");
    if (in.quotaTokens() == null) throw SupplyException.invalid("'quota_tokens' is required.");
    if (in.inputPer1M() == null || in.outputPer1M() == null) {
      throw SupplyException.invalid("'input_per_1m' and 'output_per_1m' are required.");
    }
    List<String> models = in.models() == null || in.models().isEmpty() ? List.copyOf(a.models().keySet()) : in.models();
    String publicName = in.publicName();
    Instant now = clock.instant();
    Package p = new Package(0, supplierId, a.id(), in.name(), models, in.quotaTokens(), 0, in.inputPer1M(),
        in.outputPer1M(), in.cachedInputPer1M() != null ? in.cachedInputPer1M() : in.inputPer1M(),
        in.validDays() != null ? in.validDays() : 30, orZero(in.maxConcurrency()), orZero(in.rpm()),
        publicName == null ? "" : publicName, "draft", null, null, now, now);
    check(s, a, p);
    Package stored = store.insertPackage(p);
    if (publicName == null || publicName.isBlank()) {
      stored = with(stored, "market-" + stored.id());
      store.updatePackage(stored);
    }
    return stored;
  }

  /** Changes a package: prices, models and validity in draft or paused; the quota may grow in any live state. */
  public Package update(long supplierId, long id, PackageInput in) {
    Supplier s = supplier(supplierId);
    Package old = pkg(supplierId, id);
    boolean terms = in.models() != null || in.inputPer1M() != null || in.outputPer1M() != null
        || in.cachedInputPer1M() != null || in.validDays() != null || in.accountId() != null;
    if (terms && !List.of("draft", "paused").contains(old.status())) {
      throw conflict(old, "change prices, models or validity (pause it first)");
    }
    if (List.of("expired").contains(old.status())) throw conflict(old, "change it");
    long quota = in.quotaTokens() != null ? in.quotaTokens() : old.quotaTokens();
    if (quota < old.usedTokens()) throw SupplyException.invalid("'quota_tokens' cannot be below the tokens already used.");
    Account a = account(supplierId, in.accountId() != null ? in.accountId() : old.accountId());
    String status = old.status();
    if ("sold_out".equals(status) && quota > old.usedTokens()) status = "paused"; // more to sell: the supplier resumes it
    Package p = new Package(id, supplierId, a.id(), in.name() != null ? in.name() : old.name(),
        in.models() != null ? in.models() : old.models(), quota, old.usedTokens(),
        in.inputPer1M() != null ? in.inputPer1M() : old.inputPer1M(),
        in.outputPer1M() != null ? in.outputPer1M() : old.outputPer1M(),
        in.cachedInputPer1M() != null ? in.cachedInputPer1M() : old.cachedInputPer1M(),
        in.validDays() != null ? in.validDays() : old.validDays(),
        in.maxConcurrency() != null ? in.maxConcurrency() : old.maxConcurrency(),
        in.rpm() != null ? in.rpm() : old.rpm(), in.publicName() != null ? in.publicName() : old.publicName(),
        status, old.activatedAt(), old.expiresAt(), old.createdAt(), clock.instant());
    check(s, a, p);
    store.updatePackage(p);
    if (quota != old.quotaTokens()) quotaChanged.accept(id);
    changed.run();
    return p;
  }

  /**
   * Moves a package to {@code to}: draft or paused → active (the supplier approved, its account active, the margin
   * kept), active → paused. Anything else, or a state changed meanwhile, is a conflict.
   */
  public Package transition(long supplierId, long id, String to) {
    Supplier s = supplier(supplierId);
    Package p = pkg(supplierId, id);
    Instant now = clock.instant();
    switch (to) {
      case "active" -> {
        if (!List.of("draft", "paused").contains(p.status())) throw conflict(p, "activate it");
        if (!"approved".equals(s.status())) throw conflict(p, "activate it before an operator approves the supplier");
        Account a = account(supplierId, p.accountId());
        if (!"active".equals(a.status())) throw conflict(p, "activate it while its account is " + a.status());
        if (p.remainingTokens() <= 0) throw conflict(p, "activate it with no tokens left");
        if (p.expiresAt() != null && !p.expiresAt().isAfter(now)) throw conflict(p, "activate it after its validity");
        check(s, a, p);
        boolean first = p.activatedAt() == null;
        if (!store.transition(id, p.status(), "active", first ? now : null,
            first ? now.plus(Duration.ofDays(p.validDays())) : null)) {
          throw conflict(p, "activate it");
        }
      }
      case "paused" -> {
        if (!"active".equals(p.status()) || !store.transition(id, "active", "paused", null, null)) {
          throw conflict(p, "pause it");
        }
      }
      default -> throw SupplyException.invalid("'status' must be active or paused.");
    }
    changed.run();
    return pkg(supplierId, id);
  }

  private static SupplyException conflict(Package p, String what) {
    return new SupplyException(Kind.STATE_CONFLICT, "The package is " + p.status() + ": cannot " + what + ".",
        Map.of("status", p.status()));
  }

  private static Package with(Package p, String publicName) {
    return new Package(p.id(), p.supplierId(), p.accountId(), p.name(), p.models(), p.quotaTokens(), p.usedTokens(),
        p.inputPer1M(), p.outputPer1M(), p.cachedInputPer1M(), p.validDays(), p.maxConcurrency(), p.rpm(), publicName,
        p.status(), p.activatedAt(), p.expiresAt(), p.createdAt(), p.updatedAt());
  }

  /** The package's terms: models offered by its account and priced for consumers, margin kept, bounds, its name free. */
  private void check(Supplier s, Account a, Package p) {
    if (p.quotaTokens() <= 0 || p.quotaTokens() > 1_000_000_000_000_000L) {
      throw SupplyException.invalid("'quota_tokens' must be 1 to 10^15.");
    }
    if (p.validDays() < 1 || p.validDays() > 3650) throw SupplyException.invalid("'valid_days' must be 1-3650.");
    if (p.models().isEmpty()) throw SupplyException.invalid("'models' must name at least one model.");
    if (!p.publicName().isEmpty()) {
      if (!PUBLIC_NAME.matcher(p.publicName()).matches()) {
        throw SupplyException.invalid("'public_name' must be 1-64 letters, digits, '.', '_' or '-'.");
      }
      if (nameTaken.test(p.publicName())) throw SupplyException.invalid("'public_name' is taken by a provider.");
      for (Package other : store.packages(null, null)) {
        if (other.id() != p.id() && other.publicName().equalsIgnoreCase(p.publicName())) {
          throw SupplyException.invalid("'public_name' is taken by another package.");
        }
      }
    }
    int margin = marginBps(s);
    for (String model : p.models()) {
      if (!a.models().containsKey(model)) {
        throw SupplyException.invalid("The account does not offer model '" + model + "'.");
      }
      ModelPrice consumer = consumerPrices.find(model);
      if (consumer == null) {
        throw SupplyException.invalid("Model '" + model + "' has no consumer price on this platform; it cannot be sold.");
      }
      // Cache writes earn the supplier its input price: that price must keep the margin under both consumer prices.
      floor(model, "input_per_1m", p.inputPer1M(), Math.min(consumer.inputPer1M(), consumer.cacheWritePer1M()), margin);
      floor(model, "output_per_1m", p.outputPer1M(), consumer.outputPer1M(), margin);
      floor(model, "cached_input_per_1m", p.cachedInputPer1M(), consumer.cachedInputPer1M(), margin);
    }
  }

  /** supplier ≤ consumer × (1 − margin), exactly: supplier × 10000 ≤ consumer × (10000 − margin bps). */
  private static void floor(String model, String field, long supplier, long consumer, int marginBps) {
    long maxSupplier = Math.floorDiv(Math.multiplyHigh(consumer, 10_000L - marginBps) != 0 ? Long.MAX_VALUE
        : consumer * (10_000L - marginBps), 10_000L);
    if (supplier < 0 || supplier > maxSupplier) {
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("model", model);
      d.put("field", field);
      d.put("supplier_price", com.lijiaoqiao.billing.Money.format(supplier));
      d.put("consumer_price", com.lijiaoqiao.billing.Money.format(consumer));
      d.put("max_supplier_price", com.lijiaoqiao.billing.Money.format(maxSupplier));
      d.put("min_margin_bps", marginBps);
      throw new SupplyException(Kind.PRICE_BELOW_FLOOR, "The " + field + " of " + model + " leaves the platform less "
          + "than its minimum margin: at most " + com.lijiaoqiao.billing.Money.format(maxSupplier) + " per 1M tokens.", d);
    }
  }
}
