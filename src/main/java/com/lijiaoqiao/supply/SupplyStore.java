package com.lijiaoqiao.supply;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the marketplace needs from the system of record (implemented in {@code store}). Blocking calls. */
public interface SupplyStore {
  /** A supplier: a tenant selling capacity; its margin and hold period override the platform's when set. */
  record Supplier(long tenantId, String tenantName, String status, Integer minMarginBps, Integer holdDays, String note,
                  Instant createdAt, Instant updatedAt) {}

  /** An upstream account as stored: the credential only as ciphertext. */
  record Account(long id, long supplierId, String name, String vendor, String kind, String baseUrl,
                 String credentialEnc, Map<String, String> models, int rpm, int tpm, int maxConcurrency,
                 String status, String statusReason, Instant probedAt, String probeResult, Instant createdAt,
                 Instant updatedAt) {
    @Override
    public String toString() { // never prints the credential, even encrypted
      return "Account[id=" + id + ", supplier=" + supplierId + ", vendor=" + vendor + ", status=" + status + "]";
    }
  }

  record Package(long id, long supplierId, long accountId, String name, List<String> models, long quotaTokens,
                 long usedTokens, long inputPer1M, long outputPer1M, long cachedInputPer1M, int validDays,
                 int maxConcurrency, int rpm, String publicName, String status, Instant activatedAt,
                 Instant expiresAt, Instant createdAt, Instant updatedAt) {
    public long remainingTokens() {
      return Math.max(0, quotaTokens - usedTokens);
    }
  }

  record Payout(long id, long supplierId, long amountMicros, String status, String reference, String note,
                Long requestedBy, Long decidedBy, Instant createdAt, Instant updatedAt) {}

  /** Earnings of one supplier: everything earned, the part still in its hold period, requested, paid. */
  record Totals(long accrued, long onHold, long requested, long paid) {
    public long available() {
      return Math.max(0, accrued - onHold - requested - paid);
    }
  }

  /** One group of earnings (by day, account, package or model) over a period. */
  record EarningGroup(String key, long requests, long tokens, long amountMicros) {}

  // Suppliers
  Optional<Supplier> supplier(long tenantId);

  Supplier ensureSupplier(long tenantId);

  List<Supplier> suppliers(String status, int limit, long afterTenantId);

  /** Changes status / margin / hold / note (null = unchanged); empty when there is no such supplier. */
  Optional<Supplier> updateSupplier(long tenantId, String status, Integer minMarginBps, Integer holdDays, String note);

  // Accounts
  Account insertAccount(Account a);

  Optional<Account> account(long id);

  List<Account> accounts(Long supplierId, String status);

  void updateAccount(Account a);

  void setAccountStatus(long id, String status, String reason, Instant probedAt, String probeResult);

  // Packages
  Package insertPackage(Package p);

  Optional<Package> pkg(long id);

  List<Package> packages(Long supplierId, String status);

  /** Every active package (the routing pool filters further: supplier, account, validity, tokens left). */
  List<Package> activePackages();

  void updatePackage(Package p);

  /** Moves a package from {@code from} to {@code to} atomically; false when its state was not {@code from}. */
  boolean transition(long id, String from, String to, Instant activatedAt, Instant expiresAt);

  /** Marks active and paused packages past their expiry as expired; returns their ids. */
  List<Long> expire(Instant now);

  /** A signature that changes with every change to accounts and packages (for the pool's cross-node refresh). */
  String signature();

  /** Records a domain event for the tenant in the outbox (ids and states only: never a credential). */
  void event(String type, long tenantId, Map<String, ?> payload);

  // Earnings and payouts
  Totals totals(long supplierId, Instant holdSince);

  List<EarningGroup> earnings(long supplierId, Instant from, Instant to, String groupBy, Long accountId, Long packageId,
                              String model);

  /**
   * Requests a payout: within one transaction that locks the supplier, refuses (empty) when the amount exceeds what is
   * available ({@code holdSince}: earnings after it are still on hold); posts earnings → payouts in the ledger.
   * A repeated idempotency key returns the first payout.
   */
  Optional<Payout> requestPayout(long supplierId, long amountMicros, Instant holdSince, String idempotencyKey,
                                 String note, long requestedBy);

  Optional<Payout> payout(long id);

  List<Payout> payouts(Long supplierId, String status, int limit);

  /**
   * Moves a payout on ({@code pending → processing → completed | failed}; pending may fail too) with its ledger
   * postings; false when the payout was not in {@code from}.
   */
  boolean settlePayout(long id, String from, String to, String reference, long decidedBy);
}
