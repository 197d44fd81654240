package com.lijiaoqiao.billing;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prepaid billing: reserve before a request, settle exactly once after it, top-ups and redemption codes.
 * Reservations and charges happen in memory ({@link Wallets}); each settlement is journaled locally before
 * the response ends and shipped to the double-entry ledger in batches ({@link LedgerShipper}).
 */
public final class BillingService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BillingService.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  /** The widths of billing_records.request_id, .model and .provider. */
  static final int MAX_REQUEST_ID = 64;
  static final int MAX_MODEL = 128;
  static final int MAX_PROVIDER = 64;

  private final LedgerStore store;
  private final SettlementJournal journal;
  private final Wallets wallets;
  private final PriceBook prices = new PriceBook();
  private final EarningsCarry earningsCarry = new EarningsCarry();
  private final LedgerShipper shipper;
  private final String currency;
  /** Held while the ledger is read for a refresh and while a shipped batch is committed and reported. */
  private final Object ledgerLock = new Object();
  /** The balances every node shares (Redis), or null: each node then checks its own figure, refreshed each second. */
  private volatile ClusterBalance cluster;
  private final List<SettlementListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** Told of each shipped settlement that carries suppliers' earnings (package quotas count unshipped use). */
  private final List<java.util.function.Consumer<Settlement>> shippedListeners =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  /** Replays unshipped settlements, then loads prices and balances. Blocking; run at start-up. */
  public BillingService(LedgerStore store, Path journalDir, long defaultLowThresholdMicros, String currency) {
    this.store = store;
    this.currency = currency;
    this.journal = new SettlementJournal(journalDir);
    // Reservations open at a crash simply vanish with the process: settlements are replayed, and a stream cut
    // by the crash is charged what its last progress entry says it relayed (at most about a second old).
    // A bad line (unreadable, or a value the ledger cannot hold) is set aside; it never stops the start.
    SettlementJournal.Replayed replayed = journal.replayInto(store);
    if (replayed.shipped() > 0) log.info("replayed {} settlements from the journal into the ledger", replayed.shipped());
    if (replayed.setAside() > 0) {
      log.error("set aside {} journal entries the ledger cannot take (settlements.rejected; see ljq reconcile)",
          replayed.setAside());
    }
    this.wallets = new Wallets(defaultLowThresholdMicros);
    store.loadPrices().values().forEach(prices::put);
    store.loadWallets().values().forEach(w -> wallets.load(w.tenantId(), w.balance(), w.lowBalanceThreshold()));
    this.shipper = new LedgerShipper(store, journal, s -> {
      wallets.shipped(s.tenantId(), s.costMicros());
      if (cluster instanceof LeasedBalance leased) leased.shipped(s.tenantId(), s.costMicros());
      if (!s.earningsOrEmpty().isEmpty()) {
        for (java.util.function.Consumer<Settlement> l : shippedListeners) l.accept(s);
      }
    }, ledgerLock);
  }

  /** Shares balances and holds with every other node (with Redis configured). */
  public void useCluster(ClusterBalance shared) {
    this.cluster = shared;
  }

  /** Tells {@code l} of every settlement from now on (spend budgets count through it). */
  public void onSettled(SettlementListener l) {
    listeners.add(l);
  }

  /** Tells {@code l} of each settlement with suppliers' earnings once it is in the ledger. */
  public void onShippedEarnings(java.util.function.Consumer<Settlement> l) {
    shippedListeners.add(l);
  }

  public ClusterBalance cluster() {
    return cluster;
  }

  /** The tenant's balance in the ledger less what this node charged that the ledger does not have yet. Blocking. */
  public long ledgerBalance(long tenantId) {
    synchronized (ledgerLock) {
      return store.balanceOf(tenantId) - wallets.unshipped(tenantId);
    }
  }

  /**
   * Reads every balance and price from the ledger again, so that other nodes' charges, credits, redemptions and
   * price changes reach this node (run every second off the event loop). Blocking.
   */
  public void refreshFromLedger() {
    synchronized (ledgerLock) {
      store.loadWallets().values().forEach(w -> wallets.refresh(w.tenantId(), w.balance(), w.lowBalanceThreshold()));
    }
    store.loadPrices().values().forEach(prices::put);
  }

  public String currency() {
    return currency;
  }

  public EarningsCarry earningsCarry() {
    return earningsCarry;
  }

  public PriceBook prices() {
    return prices;
  }

  public Wallets wallets() {
    return wallets;
  }

  /** What a reservation fixed for its request: the price in force when it started and the amount held. */
  public record Reservation(ModelPrice price, long amount) {}

  /**
   * Holds the request's most possible cost against this node's figure (one node, or no cluster balance).
   *
   * @throws InsufficientBalanceException when balance minus open reservations cannot cover the estimate
   */
  public Reservation reserve(String requestId, long tenantId, String model, long promptTokens, long maxTokens) {
    checkRequestId(requestId);
    ModelPrice price = prices.priceOf(model);
    long amount = price.estimate(promptTokens, maxTokens);
    wallets.reserve(requestId, tenantId, amount);
    return new Reservation(price, amount);
  }

  /**
   * Holds the request's most possible cost against the tenant's balance as every node sees it: the cluster's
   * figure when shared balances are configured (this node's figure if they cannot be reached: availability
   * first, and said in the log), else this node's. Fails with {@link InsufficientBalanceException} when short.
   */
  public io.vertx.core.Future<Reservation> reserveShared(String requestId, long tenantId, String model,
                                                         long promptTokens, long maxTokens) {
    ClusterBalance shared = cluster;
    if (shared == null) {
      try {
        return io.vertx.core.Future.succeededFuture(reserve(requestId, tenantId, model, promptTokens, maxTokens));
      } catch (RuntimeException e) {
        return io.vertx.core.Future.failedFuture(e);
      }
    }
    checkRequestId(requestId);
    ModelPrice price = prices.priceOf(model);
    long amount = price.estimate(promptTokens, maxTokens);
    wallets.reserve(requestId, tenantId, amount, false); // bookkeeping: the cluster decides
    return shared.reserve(requestId, tenantId, amount).transform(ar -> {
      if (ar.succeeded() && ar.result().held()) return io.vertx.core.Future.succeededFuture(new Reservation(price, amount));
      if (ar.succeeded()) {
        wallets.release(requestId);
        return io.vertx.core.Future.failedFuture(new InsufficientBalanceException(amount, ar.result().availableMicros()));
      }
      long available = wallets.available(tenantId) + amount; // this node's figure, without the hold just taken
      if (amount > available) {
        wallets.release(requestId);
        return io.vertx.core.Future.failedFuture(new InsufficientBalanceException(amount, Math.max(0, available)));
      }
      return io.vertx.core.Future.succeededFuture(new Reservation(price, amount));
    });
  }

  /**
   * Holds the request again, for another model at that model's current price (the larger-context fall-over):
   * the first hold is released, then the new one taken like any reservation (402 when short).
   */
  public io.vertx.core.Future<Reservation> reserveAgain(String requestId, long tenantId, String model,
                                                        long promptTokens, long maxTokens) {
    wallets.release(requestId);
    ClusterBalance shared = cluster;
    io.vertx.core.Future<Void> released = shared == null ? io.vertx.core.Future.succeededFuture()
        : shared.release(requestId, tenantId).recover(t -> io.vertx.core.Future.succeededFuture());
    return released.compose(v -> reserveShared(requestId, tenantId, model, promptTokens, maxTokens));
  }

  private static void checkRequestId(String requestId) {
    if (requestId == null || requestId.isEmpty() || requestId.length() > MAX_REQUEST_ID) {
      throw new IllegalArgumentException("a request id must be 1-" + MAX_REQUEST_ID + " characters to be billed");
    }
  }

  /**
   * Settles a request exactly once: charges {@code s.costMicros()}, releases the rest of the hold, journals it
   * and queues it for the ledger. A second call for the same request id does nothing and returns false.
   */
  public boolean settle(Settlement s) {
    if (s.requestId() == null) return false; // never reserved (reserve refuses it)
    s = storable(s);
    Wallets.Charge charge = wallets.settle(s.requestId(), s.costMicros());
    if (charge == null) {
      journal.forgetProgress(s.requestId());
      return false;
    }
    ClusterBalance shared = cluster;
    if (shared != null) shared.settle(s.requestId(), s.tenantId(), s.costMicros());
    LedgerStore.LowBalance low = charge.crossedLowBalance()
        ? new LedgerStore.LowBalance(s.tenantId(), s.requestId(), charge.balanceAfter(), charge.threshold()) : null;
    // Journal order and shipping order must be the same, or a checkpoint could pass an entry not yet shipped.
    synchronized (journal) {
      long offset = journal.append(s);
      shipper.enqueue(new LedgerShipper.Item(s, offset, low));
    }
    for (SettlementListener l : listeners) {
      try {
        l.settled(s);
      } catch (RuntimeException e) {
        log.warn("a settlement listener failed for {}: {}", s.requestId(), e.toString());
      }
    }
    return true;
  }

  /**
   * Journals what a stream in flight has relayed so far (a settlement marked as progress), so that a kill -9
   * mid-stream still charges it at the next start. No wallet moves and nothing is shipped now: the stream's own
   * {@link #settle} supersedes it.
   */
  public void journalProgress(Settlement soFar) {
    if (soFar.requestId() == null) return;
    journal.appendProgress(storable(soFar));
  }

  /**
   * The settlement as the ledger can hold it (the second line of defence: the edge bounds model names first).
   * A model or provider name longer than its column is cut to fit, a negative count or cost becomes zero; each
   * is logged. A journaled settlement the store refused would be set aside, not charged in the ledger.
   */
  static Settlement storable(Settlement s) {
    String model = s.model() == null ? "" : s.model();
    String provider = s.provider();
    boolean fits = model.length() <= MAX_MODEL && (provider == null || provider.length() <= MAX_PROVIDER)
        && s.promptTokens() >= 0 && s.completionTokens() >= 0 && s.cachedTokens() >= 0
        && s.cacheWriteTokens() >= 0 && s.reservedMicros() >= 0 && s.costMicros() >= 0 && s.model() != null
        && fits(s.usage());
    if (fits) return s;
    log.error("settlement {} of tenant {} does not fit the ledger (model of {} characters, provider {}, cost {}); "
        + "stored clamped", s.requestId(), s.tenantId(), model.length(), provider == null ? 0 : provider.length(),
        s.costMicros());
    return new Settlement(s.requestId(), s.tenantId(), s.userId(), s.apiKeyId(), clip(model, MAX_MODEL),
        provider == null ? null : clip(provider, MAX_PROVIDER), Math.max(0, s.promptTokens()),
        Math.max(0, s.completionTokens()), Math.max(0, s.cachedTokens()), Math.max(0, s.cacheWriteTokens()),
        s.tokensEstimated(), Math.max(0, s.reservedMicros()), Math.max(0, s.costMicros()), s.createdAtMillis(),
        s.progress(), storable(s.usage()), s.earnings());
  }

  /** The widths of usage_records.endpoint, .outcome and .error_code (the models are as wide as billing's). */
  static final int MAX_ENDPOINT = 40;
  static final int MAX_OUTCOME = 32;
  static final int MAX_ERROR_CODE = 40;

  private static boolean fits(UsageFacts u) {
    return u == null || (u.endpoint() != null && u.endpoint().length() <= MAX_ENDPOINT
        && u.requestedModel() != null && u.requestedModel().length() <= MAX_MODEL
        && (u.servedModel() == null || u.servedModel().length() <= MAX_MODEL)
        && u.outcome() != null && u.outcome().length() <= MAX_OUTCOME
        && (u.errorCode() == null || u.errorCode().length() <= MAX_ERROR_CODE));
  }

  private static UsageFacts storable(UsageFacts u) {
    if (fits(u)) return u;
    return new UsageFacts(clip(u.endpoint() == null ? "" : u.endpoint(), MAX_ENDPOINT),
        clip(u.requestedModel() == null ? "" : u.requestedModel(), MAX_MODEL),
        u.servedModel() == null ? null : clip(u.servedModel(), MAX_MODEL), u.stream(), u.latencyMs(), u.ttftMs(),
        u.statusCode(), clip(u.outcome() == null ? "" : u.outcome(), MAX_OUTCOME),
        u.errorCode() == null ? null : clip(u.errorCode(), MAX_ERROR_CODE));
  }

  private static String clip(String v, int max) {
    if (v.length() <= max) return v;
    int end = Character.isHighSurrogate(v.charAt(max - 1)) ? max - 1 : max;
    return v.substring(0, end);
  }

  /** Admin credit; the same idempotency key credits once and returns the first result. Blocking. */
  public LedgerStore.Topup credit(long tenantId, long amount, String idempotencyKey, String note, Long actor) {
    LedgerStore.Topup t = store.credit(tenantId, amount, "admin", idempotencyKey, note, actor);
    if (!t.replayed()) {
      wallets.credit(tenantId, amount);
      ClusterBalance shared = cluster;
      if (shared != null) shared.ledgerChanged(tenantId); // every node sees it on its next reservation
    }
    return t;
  }

  /** Creates {@code count} single-use codes; the codes are returned once and stored only hashed. Blocking. */
  public List<String> createCodes(long amount, int count, Instant expiresAt, Long actor) {
    List<String> codes = new ArrayList<>(count);
    List<String> hashes = new ArrayList<>(count);
    List<String> prefixes = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String code = newCode();
      codes.add(code);
      hashes.add(hashCode(code));
      prefixes.add(code.substring(0, 8));
    }
    store.createCodes(hashes, prefixes, amount, expiresAt, actor);
    return codes;
  }

  /** Redeems a code for a tenant; empty when it is unknown, expired or used. Blocking. */
  public Optional<LedgerStore.Topup> redeem(String code, long tenantId) {
    if (code == null || code.isBlank() || code.length() > 64) return Optional.empty();
    Optional<LedgerStore.Topup> t = store.redeem(hashCode(code.trim().toUpperCase()), tenantId, Instant.now());
    t.ifPresent(topup -> {
      wallets.credit(tenantId, topup.amount());
      ClusterBalance shared = cluster;
      if (shared != null) shared.ledgerChanged(tenantId);
    });
    return t;
  }

  public void savePrice(ModelPrice price) {
    store.savePrice(price);
    prices.put(price);
  }

  /** Only for a missing catalogue entry at start-up: config seeds prices the database does not have yet. */
  public void seedPrice(ModelPrice price) {
    if (prices.find(price.model()) == null) savePrice(price);
  }

  public int pendingShipments() {
    return shipper.pending();
  }

  /** What this node's journal counted and still holds (GET /admin/reconcile). Blocking: reads the file. */
  public SettlementJournal.Figures journalFigures() {
    return journal.figures();
  }

  public List<SettlementJournal.SetAside> setAsideEntries() {
    return journal.setAsideEntries();
  }

  static String newCode() {
    String alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    StringBuilder sb = new StringBuilder("LJQ-");
    for (int i = 0; i < 16; i++) {
      if (i > 0 && i % 4 == 0) sb.append('-');
      sb.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
    }
    return sb.toString();
  }

  static String hashCode(String code) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(code.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Ships what is queued, then closes the journal. */
  @Override
  public void close() {
    shipper.close();
    journal.close();
  }
}
