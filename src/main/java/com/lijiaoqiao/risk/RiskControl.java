package com.lijiaoqiao.risk;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.lijiaoqiao.events.DomainEvent;
import com.lijiaoqiao.events.EventTypes;
import io.vertx.core.Future;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Risk control: the policies (global and per tenant) and the operators' suppressions held in memory and re-read from
 * the store every second (so every node applies a change within about a second), the counters, the scoring, and the
 * review queue with its decisions. The request path only reads memory and the counters; queueing a review runs off it.
 */
public final class RiskControl {
  private static final Logger log = LoggerFactory.getLogger(RiskControl.class);
  public static final ObjectMapper JSON = new ObjectMapper()
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .registerModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule())
      .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  /** Runs blocking work off the event loop. */
  @FunctionalInterface
  public interface Blocking {
    <T> Future<T> run(java.util.concurrent.Callable<T> work);
  }

  private final RiskStore store;
  private final RiskCounters counters;
  private final Blocking blocking;
  private final LongConsumer blockKey;
  private final LongConsumer disableUser;
  private final RiskPolicy defaults;
  private final ReviewQueue reviews;
  private volatile RiskPolicy global;
  private volatile java.util.function.Consumer<String> flagged = action -> {};
  private volatile Map<Long, RiskPolicy> tenants = Map.of();
  private volatile Map<Long, Map<String, Long>> suppressed = Map.of();

  /** @param defaults the policy until an operator stores one */
  public RiskControl(RiskStore store, RiskCounters counters, Blocking blocking, LongConsumer blockKey,
                     LongConsumer disableUser, RiskPolicy defaults) {
    this.defaults = defaults;
    this.global = defaults;
    this.store = store;
    this.counters = counters;
    this.blocking = blocking;
    this.blockKey = blockKey;
    this.disableUser = disableUser;
    this.reviews = new ReviewQueue(store, blocking, ReviewQueue.COALESCE_MS);
  }

  /** Reads policies and suppressions again (each second, and after every change). Blocking. */
  public void reload() {
    Map<Long, RiskPolicy> t = new java.util.HashMap<>();
    RiskPolicy g = defaults;
    for (var e : store.policies().entrySet()) {
      try {
        RiskPolicy p = JSON.readValue(e.getValue(), RiskPolicy.class);
        if (e.getKey().equals("global")) g = p;
        else if (e.getKey().startsWith("tenant:")) t.put(Long.parseLong(e.getKey().substring(7)), p);
      } catch (Exception ex) {
        log.error("risk policy {} is unreadable; ignored", e.getKey());
      }
    }
    global = g;
    tenants = Map.copyOf(t);
    suppressed = store.suppressions(System.currentTimeMillis());
  }

  public RiskPolicy global() {
    return global;
  }

  public Map<Long, RiskPolicy> tenantPolicies() {
    return tenants;
  }

  public RiskPolicy policyFor(long tenantId) {
    Map<Long, RiskPolicy> t = tenants;
    RiskPolicy p = t.isEmpty() ? null : t.get(tenantId);
    return p != null ? p : global;
  }

  /** Whether any policy may fire at all (the stage skips the counters when none can). */
  public boolean active() {
    if (global.enabled()) return true;
    for (RiskPolicy p : tenants.values()) if (p.enabled()) return true;
    return false;
  }

  /** Counts the request and scores it. */
  public Future<RiskEngine.Verdict> assess(RiskSignals s) {
    RiskPolicy p = policyFor(s.tenantId());
    if (!p.enabled()) return Future.succeededFuture(RiskEngine.Verdict.CLEAR);
    return counters.observe(s).map(o -> RiskEngine.score(p, s, o, suppressedFor(s.keyId(), s.nowMillis())));
  }

  private Set<String> suppressedFor(long keyId, long now) {
    Map<Long, Map<String, Long>> all = suppressed;
    if (all.isEmpty()) return Set.of();
    Map<String, Long> rules = all.get(keyId);
    if (rules == null) return Set.of();
    Set<String> out = new java.util.HashSet<>();
    rules.forEach((rule, until) -> {
      if (until > now) out.add(rule);
    });
    return out;
  }

  public void spent(long keyId, long micros, long completionTokens) {
    counters.spent(keyId, micros, completionTokens, System.currentTimeMillis());
  }

  /** Told each review queued by {@link #flag}, with its action ("review" or "block"); must be quick (metrics). */
  public void onFlag(java.util.function.Consumer<String> listener) {
    this.flagged = listener;
  }

  /** Queues the request for review (flagged or blocked), off the request path and coalesced per key and pattern
   * ({@link ReviewQueue}); a failure is logged, never thrown. */
  public void flag(RiskEngine.Verdict v, RiskSignals s, String requestId,
                   java.util.function.Supplier<Map<String, Object>> context) {
    String action = v.action() == RiskEngine.Action.BLOCK ? "block" : "review";
    flagged.accept(action);
    // A key flagged on every request: while its review waits to be written, a hit is all there is to note.
    if (reviews.bump(s.keyId(), String.join(",", v.triggered()), v.score(), action)) return;
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("api_key_id", s.keyId());
    payload.put("user_id", s.userId());
    payload.put("score", v.score());
    payload.put("rules", v.triggered());
    payload.put("action", action);
    payload.put("request_id", requestId);
    DomainEvent event = DomainEvent.of(action.equals("block") ? EventTypes.RISK_BLOCKED : EventTypes.RISK_REVIEW,
        s.tenantId(), payload);
    String ctx;
    try {
      ctx = JSON.writeValueAsString(context.get());
    } catch (Exception e) {
      ctx = "{}";
    }
    RiskStore.Review r = new RiskStore.Review(0, s.tenantId(), s.userId(), s.keyId(), String.join(",", v.triggered()),
        v.score(), action, ctx, requestId, 1, "open", null, null, null, null, null);
    reviews.add(r, event);
  }

  /**
   * An operator's decision on an open review: {@code allow} suppresses its rules for the key for {@code allowForMs},
   * {@code block_key} disables the key, {@code disable_user} the key's user. False when the review was not open.
   * Blocking.
   */
  public boolean resolve(long reviewId, String action, long operator, String note, long allowForMs) {
    RiskStore.Review r = store.review(reviewId).orElse(null);
    if (r == null) return false;
    String status = switch (action) {
      case "allow" -> "allowed";
      case "block_key" -> "blocked_key";
      case "disable_user" -> "disabled_user";
      default -> throw new IllegalArgumentException("'action' must be allow, block_key or disable_user.");
    };
    DomainEvent event = DomainEvent.of(EventTypes.RISK_RESOLVED, r.tenantId(), Map.of("review_id", reviewId,
        "api_key_id", r.keyId(), "decision", action));
    if (!"open".equals(r.status())) return false;
    // The decision's effect first (each is idempotent), then the review closed: a review never says a key was
    // blocked while it still works.
    switch (action) {
      case "allow" -> store.suppress(r.keyId(), List.of(r.pattern().split(",")),
          System.currentTimeMillis() + Math.max(60_000, allowForMs));
      case "block_key" -> blockKey.accept(r.keyId());
      default -> disableUser.accept(r.userId());
    }
    boolean closed = store.resolve(reviewId, status, operator, note, event);
    reload();
    return closed;
  }

  public RiskStore store() {
    return store;
  }

  /** Saves a policy ('global' or a tenant's) and applies it on this node at once (others within a second). Blocking. */
  public void save(Long tenantId, RiskPolicy p) {
    try {
      store.savePolicy(tenantId == null ? "global" : "tenant:" + tenantId, JSON.writeValueAsString(p));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    reload();
  }

  public boolean deleteTenantPolicy(long tenantId) {
    boolean done = store.deletePolicy("tenant:" + tenantId);
    reload();
    return done;
  }
}
