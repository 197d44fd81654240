package com.lijiaoqiao.budgets;

import com.lijiaoqiao.billing.Settlement;
import com.lijiaoqiao.billing.SettlementListener;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spend budgets per key and per tenant. A request holds its estimate against every budget of its key and tenant
 * (refused when one would be exceeded); its settlement turns the hold into its actual cost. Spend is counted for
 * every key and tenant, budget or not, so a budget set mid-period sees what the period already spent.
 * With Redis the counters are the cluster's; when Redis cannot be reached, this node's own (availability first,
 * and said in the log). This node's counters always count this node's spend, seeded from the ledger at start.
 */
public final class Budgets implements SettlementListener {
  private static final Logger log = LoggerFactory.getLogger(Budgets.class);

  /** A request's open hold: the counters it holds on, and whether in the shared counters or this node's. */
  private record Hold(List<String> counters, boolean shared) {}

  private final LocalSpendCounters local;
  private final SpendCounters shared;
  private final Supplier<Instant> clock;
  private final Map<String, Hold> holds = new ConcurrentHashMap<>();
  private final AtomicLong failures = new AtomicLong();

  /** {@code shared} may be null: then this node's counters are the only ones. */
  public Budgets(SpendCounters shared, Supplier<Instant> clock) {
    this.local = new LocalSpendCounters(clock);
    this.shared = shared;
    this.clock = clock;
  }

  /** The six counters of a key and its tenant at {@code at}, with their budgets (negative = none). */
  public static List<SpendCounters.Line> lines(long keyId, Budget keyBudget, long tenantId, Budget tenantBudget,
                                               Instant at) {
    List<SpendCounters.Line> out = new ArrayList<>(6);
    for (Period p : Period.values()) out.add(line("key", "k:" + keyId, keyBudget, p, at));
    for (Period p : Period.values()) out.add(line("tenant", "t:" + tenantId, tenantBudget, p, at));
    return out;
  }

  private static SpendCounters.Line line(String scope, String id, Budget b, Period p, Instant at) {
    Long limit = b == null ? null : b.amount(p);
    return new SpendCounters.Line(id + ":" + p.id(at), scope + "_" + p.label, limit == null ? -1 : limit, p.end(at));
  }

  /** Holds {@code amount} against the key's and tenant's budgets; nothing is held when neither has one. */
  public Future<SpendCounters.Verdict> hold(String requestId, long keyId, Budget keyBudget, long tenantId,
                                            Budget tenantBudget, long amount) {
    List<SpendCounters.Line> lines = lines(keyId, keyBudget, tenantId, tenantBudget, clock.get());
    List<String> limited = lines.stream().filter(SpendCounters.Line::limited).map(SpendCounters.Line::counter).toList();
    if (limited.isEmpty()) return Future.succeededFuture(SpendCounters.Verdict.HELD);
    if (shared == null) return holdLocally(requestId, lines, limited, amount);
    return shared.hold(requestId, lines, amount)
        .map(v -> {
          if (v.held()) holds.put(requestId, new Hold(limited, true));
          return v;
        })
        .recover(t -> {
          unreachable("holding against budgets", t);
          return holdLocally(requestId, lines, limited, amount);
        });
  }

  private Future<SpendCounters.Verdict> holdLocally(String requestId, List<SpendCounters.Line> lines,
                                                    List<String> limited, long amount) {
    return local.hold(requestId, lines, amount).map(v -> {
      if (v.held()) holds.put(requestId, new Hold(limited, false));
      return v;
    });
  }

  /** Ends the hold of a request that did not settle (refused further on, or never billed); harmless otherwise. */
  public void release(String requestId) {
    Hold h = holds.remove(requestId);
    if (h == null) return;
    if (!h.shared()) {
      local.release(requestId, h.counters());
    } else {
      shared.release(requestId, h.counters()).onFailure(t -> unreachable("releasing a budget hold", t));
    }
  }

  /** Counts a settled request's actual cost in its key's and tenant's periods of the moment it settled. */
  @Override
  public void settled(Settlement s) {
    Hold h = holds.remove(s.requestId());
    List<SpendCounters.Line> spend = lines(s.apiKeyId(), Budget.NONE, s.tenantId(), Budget.NONE,
        Instant.ofEpochMilli(s.createdAtMillis()));
    boolean heldShared = h != null && h.shared();
    local.settle(s.requestId(), h != null && !heldShared ? h.counters() : List.of(), spend, s.costMicros());
    // Only a request held against a budget is counted in Redis: the others would cost a round trip each for a
    // figure nobody reads. When a budget is set, its counters are reset from the ledger (reseed).
    if (shared != null && heldShared) {
      shared.settle(s.requestId(), heldShared ? h.counters() : List.of(), spend, s.costMicros())
          .onFailure(t -> unreachable("counting spend", t));
    }
  }

  /** What a key ("key") or tenant ("tenant") spent in the current day, week and month. */
  public Future<Map<Period, Long>> spent(String scope, long id) {
    Instant now = clock.get();
    String prefix = ("key".equals(scope) ? "k:" : "t:") + id + ":";
    List<String> names = new ArrayList<>();
    for (Period p : Period.values()) names.add(prefix + p.id(now));
    Future<Map<String, Long>> read = shared == null ? local.spent(names)
        : shared.spent(names).recover(t -> {
          unreachable("reading spend", t);
          return local.spent(names);
        });
    return read.map(m -> {
      Map<Period, Long> out = new EnumMap<>(Period.class);
      for (Period p : Period.values()) out.put(p, m.getOrDefault(prefix + p.id(now), 0L));
      return out;
    });
  }

  /**
   * Reads the current periods' spend from the ledger into this node's counters (and into the shared ones that
   * no node has counted in yet), so a restart does not forget it. Blocking; run at start-up.
   */
  public void seed(BudgetStore store) {
    Instant now = clock.get();
    for (Period p : Period.values()) {
      Instant since = p.start(now);
      store.spentByKeySince(since).forEach((key, v) -> seedOne(line("key", "k:" + key, Budget.NONE, p, now), v));
      store.spentByTenantSince(since).forEach((t, v) -> seedOne(line("tenant", "t:" + t, Budget.NONE, p, now), v));
    }
  }

  /**
   * A key's ("key") or tenant's ("tenant") budget was just set: its counters of the current periods take the
   * ledger's spend, on this node and in Redis. Blocking (reads billing records).
   */
  public void reseed(BudgetStore store, String scope, long id) {
    Instant now = clock.get();
    for (Period p : Period.values()) {
      Instant since = p.start(now);
      long micros = ("key".equals(scope) ? store.spentByKeySince(since) : store.spentByTenantSince(since))
          .getOrDefault(id, 0L);
      SpendCounters.Line line = line(scope, ("key".equals(scope) ? "k:" : "t:") + id, Budget.NONE, p, now);
      local.reset(line, micros);
      if (shared instanceof RedisSpendCounters redis) {
        redis.reset(line, micros).onFailure(t -> unreachable("resetting spend", t));
      }
    }
  }

  private void seedOne(SpendCounters.Line line, long micros) {
    local.seed(line, micros);
    if (shared instanceof RedisSpendCounters redis) {
      redis.seed(line, micros).onFailure(t -> unreachable("seeding spend", t));
    }
  }

  /** Open holds on this node (for tests and metrics). */
  public int openHolds() {
    return holds.size();
  }

  private void unreachable(String what, Throwable t) {
    long n = failures.incrementAndGet();
    if (n == 1 || n % 1000 == 0) {
      log.warn("shared budget counters unavailable while {} ({} times so far); using this node's: {}", what, n,
          t.toString());
    }
  }
}
