package com.lijiaoqiao.billing;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What billing needs from the system of record (implemented in {@code store}). Blocking calls. */
public interface LedgerStore {
  /** A wallet as stored. */
  record WalletRow(long tenantId, long balance, Long lowBalanceThreshold) {}

  /** A top-up as stored; {@code replayed} is true when the idempotency key had already been used. */
  record Topup(long id, long tenantId, long amount, String source, String note, Instant createdAt, boolean replayed) {}

  /** A low-balance crossing to record with the settlement that caused it. */
  record LowBalance(long tenantId, String requestId, long balanceAfter, long threshold) {}

  /**
   * Writes each settlement's charge to the ledger (balanced entries, wallet update, billing record, and the
   * usage record it carries) in one transaction; settlements whose request id is already recorded are skipped.
   */
  void applySettlements(List<Settlement> batch, List<LowBalance> lowBalances);

  /**
   * Returns once every settlement applied so far survives a crash of the process; the journal's checkpoint moves
   * only after this (see {@code store.Durability}).
   */
  default void makeDurable() {}

  Map<Long, WalletRow> loadWallets();

  /** One tenant's balance in the ledger (0 when it has no wallet yet). */
  long balanceOf(long tenantId);

  /** Credits a wallet once per idempotency key; a repeated key returns the first top-up unchanged. */
  Topup credit(long tenantId, long amount, String source, String idempotencyKey, String note, Long actorUserId);

  /**
   * Redeems a code for a tenant atomically: exactly one caller wins; returns the top-up, or empty when the code
   * does not exist, has expired or was already used.
   */
  Optional<Topup> redeem(String codeHash, long tenantId, Instant now);

  void createCodes(List<String> codeHashes, List<String> prefixes, long amount, Instant expiresAt, Long actorUserId);

  Map<String, ModelPrice> loadPrices();

  void savePrice(ModelPrice price);

  boolean tenantExists(long tenantId);
}
