package com.lijiaoqiao.routing;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.lijiaoqiao.providers.Provider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Chooses providers for a request, entirely in memory: the registry is an immutable snapshot swapped
 * atomically on change; live state (latency, availability) is per provider, breakers and cool-downs per
 * provider and model.
 *
 * <p>Order: candidates not cooling down (Retry-After) first, then by tier (ascending), then by score
 * (descending), then by provider id — deterministic for equal inputs. Circuit-open providers are left out.
 */
public final class Router {
  /** Settings for the live state of new providers. */
  public record StateSettings(int breakerFailures, int breakerWindow, int breakerMinCalls, double breakerFailureRate,
                              long breakerOpenMs, int latencyWindow, int outcomeWindow) {}

  private record Snapshot(Map<String, List<Candidate>> byModel,
                          ModelCatalog catalog, Map<String, ProviderDef> defs) {}

  private final AtomicReference<Snapshot> snapshot = new AtomicReference<>(
      new Snapshot(Map.of(), ModelCatalog.builder().build(), Map.of()));
  private final ConcurrentHashMap<String, ProviderState> states = new ConcurrentHashMap<>();
  private final StateSettings settings;
  private final LongSupplier clock;
  private volatile Weights weights;
  private volatile Map<String, Weights> modelWeights;
  private final Cache<String, String> sticky;
  private volatile Map<String, Map<String, Integer>> modelOrder = Map.of();
  private volatile ModelAliases aliases = ModelAliases.NONE;

  public Router(StateSettings settings, Weights weights, Map<String, Weights> modelWeights, boolean stickiness,
                LongSupplier clock) {
    this.settings = settings;
    this.weights = weights;
    this.modelWeights = Map.copyOf(modelWeights);
    this.clock = clock;
    this.sticky = stickiness ? Caffeine.newBuilder().maximumSize(100_000)
        .expireAfterAccess(Duration.ofMinutes(30)).build() : null;
  }

  /** Builds a new snapshot from the definitions and swaps it in; in-flight requests keep the old one. */
  public synchronized void install(Collection<ProviderDef> defs, Function<ProviderDef, Provider> adapters) {
    install(defs, adapters, Map.of());
  }

  /**
   * As {@link #install(Collection, Function)}, with marketplace packages among the definitions: {@code offers}
   * by provider id (a package's candidates carry its offer in their target).
   */
  public synchronized void install(Collection<ProviderDef> defs, Function<ProviderDef, Provider> adapters,
                                   Map<String, SupplyOffer> offers) {
    Map<String, List<Candidate>> byModel = new LinkedHashMap<>();
    Map<String, ProviderDef> byId = new LinkedHashMap<>();
    ModelCatalog.Builder catalog = ModelCatalog.builder();
    java.util.Set<String> stateKeys = new java.util.HashSet<>();
    for (ProviderDef d : defs) {
      byId.put(d.id(), d);
      // Whatever an upstream says back is scrubbed of every credential the gateway holds for any upstream.
      com.lijiaoqiao.protocol.SecretScrubber.learn(d.credential());
      if (!d.enabled()) continue;
      Provider adapter = adapters.apply(d);
      SupplyOffer offer = offers.get(d.id());
      // A supplier's packages share their account's live state (latency, availability, breakers): one upstream.
      String key = offer == null ? d.id() : "supply-account:" + offer.accountId();
      stateKeys.add(key);
      ProviderState st = state(key);
      String owner = d.ownedBy() == null || d.ownedBy().isBlank() ? d.id() : d.ownedBy();
      d.models().forEach((pub, up) -> {
        RouteTarget t = new RouteTarget(adapter, up == null || up.isBlank() ? pub : up, offer);
        byModel.computeIfAbsent(pub, k -> new ArrayList<>()).add(new Candidate(d, adapter, st, st.lane(pub), t));
        catalog.add(pub, t, owner);
      });
    }
    byModel.replaceAll((k, v) -> List.copyOf(v));
    stateKeys.addAll(byId.keySet());
    states.keySet().retainAll(stateKeys);
    snapshot.set(new Snapshot(Map.copyOf(byModel), catalog.build(), Map.copyOf(byId)));
  }

  public ProviderState state(String id) {
    return states.computeIfAbsent(id, k -> {
      ProviderState st = new ProviderState(k,
          () -> new CircuitBreaker(settings.breakerFailures(), settings.breakerWindow(), settings.breakerMinCalls(),
              settings.breakerFailureRate(), settings.breakerOpenMs(), clock),
          settings.latencyWindow(), settings.outcomeWindow(), clock);
      st.breakerSink = (p, m, opened) -> {
        ProviderState.BreakerSink sink = breakerSink;
        if (sink != null) sink.changed(p, m, opened);
      };
      return st;
    });
  }

  private volatile ProviderState.BreakerSink breakerSink;

  /** Tells {@code sink} of every breaker that opens or closes (the circuit events). */
  public void onBreakerChange(ProviderState.BreakerSink sink) {
    this.breakerSink = sink;
  }

  public ProviderState existingState(String id) {
    return states.get(id);
  }

  public ModelCatalog catalog() {
    return snapshot.get().catalog();
  }

  public Map<String, ProviderDef> providers() {
    return snapshot.get().defs();
  }

  /** Every enabled provider's candidate entries (for health checks). */
  public List<Candidate> allCandidates() {
    Map<String, Candidate> one = new LinkedHashMap<>();
    for (List<Candidate> l : snapshot.get().byModel().values()) {
      for (Candidate c : l) one.putIfAbsent(c.id(), c);
    }
    return List.copyOf(one.values());
  }

  /** Every (enabled provider, public model) pair: one per model lane (for recovery probes). */
  public List<Candidate> lanes() {
    List<Candidate> all = new ArrayList<>();
    for (List<Candidate> l : snapshot.get().byModel().values()) all.addAll(l);
    return all;
  }

  /** True when the model is served by some enabled provider (capabilities and health aside). */
  public boolean serves(String model) {
    return snapshot.get().byModel().containsKey(model);
  }

  /** Replaces the alias patterns ({@code routing.model_aliases}). */
  public void aliases(Map<String, String> aliases) {
    this.aliases = ModelAliases.of(aliases);
  }

  /**
   * The served model a request for {@code requested} goes to: the name itself when a provider serves it (a real
   * name always beats an alias), else its alias's target when that is served; null when neither is.
   */
  public String resolve(String requested) {
    Map<String, List<Candidate>> served = snapshot.get().byModel();
    if (served.containsKey(requested)) return requested;
    String target = aliases.target(requested);
    return target != null && served.containsKey(target) ? target : null;
  }

  public void weights(Weights global, Map<String, Weights> perModel) {
    this.weights = global;
    this.modelWeights = Map.copyOf(perModel);
  }

  /**
   * Per-model fallback order: for each public model, provider ids in the order to try them. Listed providers
   * take tiers 0, 1, 2 … in that order; unlisted ones come after (keeping their own tier order).
   */
  public void modelOrder(Map<String, List<String>> order) {
    Map<String, Map<String, Integer>> m = new java.util.HashMap<>();
    order.forEach((model, ids) -> {
      Map<String, Integer> rank = new java.util.HashMap<>();
      for (int i = 0; i < ids.size(); i++) rank.putIfAbsent(ids.get(i), i);
      m.put(model, Map.copyOf(rank));
    });
    this.modelOrder = Map.copyOf(m);
  }

  public void resetState() {
    states.values().forEach(ProviderState::reset);
    if (sticky != null) sticky.invalidateAll();
  }

  /**
   * The ordered attempt plan for a request, best first. Empty when no provider serves the model with the
   * needed capabilities, or all of them are circuit-open.
   */
  public List<Scored> plan(String model, Needs needs, String stickyKey) {
    List<Candidate> all = snapshot.get().byModel().get(model);
    if (all == null) return List.of();
    int n = all.size();
    Candidate[] cs = new Candidate[n];
    int k = 0;
    for (Candidate c : all) {
      ProviderDef d = c.def();
      if (needs.stream() && !d.streaming()) continue;
      if (needs.tools() && !d.tools()) continue;
      if (needs.vision() && !d.vision()) continue;
      if (needs.estimatedTokens() > 0 && d.maxContext() > 0 && needs.estimatedTokens() > d.maxContext()) continue;
      if (!c.lane().breaker.available()) continue;
      cs[k++] = c;
    }
    if (k == 0) return List.of();
    double minLat = Double.MAX_VALUE, maxLat = 0, minAv = 1, maxAv = 0, minCost = Double.MAX_VALUE, maxCost = 0;
    double minQ = Double.MAX_VALUE, maxQ = -Double.MAX_VALUE;
    double[] lat = new double[k];
    for (int i = 0; i < k; i++) {
      ProviderState st = cs[i].state();
      double l = st.p99Ms();
      lat[i] = l;
      if (!Double.isNaN(l)) {
        minLat = Math.min(minLat, l);
        maxLat = Math.max(maxLat, l);
      }
      double a = st.availability();
      minAv = Math.min(minAv, a);
      maxAv = Math.max(maxAv, a);
      double c = cs[i].def().cost();
      minCost = Math.min(minCost, c);
      maxCost = Math.max(maxCost, c);
      double q = cs[i].def().quality();
      minQ = Math.min(minQ, q);
      maxQ = Math.max(maxQ, q);
    }
    Weights w = modelWeights.isEmpty() ? weights : modelWeights.getOrDefault(model, weights);
    Map<String, Integer> order = modelOrder.isEmpty() ? null : modelOrder.get(model);
    Scored[] out = new Scored[k];
    for (int i = 0; i < k; i++) {
      Candidate c = cs[i];
      // Unknown latency (no successes yet) counts as the best seen: new providers get explored.
      double nl = Double.isNaN(lat[i]) ? 1.0 : higherIsWorse(lat[i], minLat, maxLat);
      double na = higherIsBetter(c.state().availability(), minAv, maxAv);
      double nc = higherIsWorse(c.def().cost(), minCost, maxCost);
      double nq = higherIsBetter(c.def().quality(), minQ, maxQ);
      double score = w.latency() * nl + w.availability() * na + w.cost() * nc + w.quality() * nq;
      int tier = c.def().tier();
      if (order != null) {
        Integer rank = order.get(c.id());
        tier = rank != null ? rank : order.size() + Math.max(0, tier);
      }
      out[i] = new Scored(c, tier, score, nl, na, nc, nq, c.lane().cooling());
    }
    java.util.Arrays.sort(out, Router::compare);
    if (sticky != null && stickyKey != null && k > 1) {
      String id = sticky.getIfPresent(model + '\u0000' + stickyKey);
      if (id != null && !id.equals(out[0].candidate().id())) {
        for (int i = 1; i < k; i++) {
          Scored s = out[i];
          if (s.candidate().id().equals(id)) {
            if (!s.cooling() && s.tier() == out[0].tier()
                && s.candidate().lane().breaker.state() == CircuitBreaker.State.CLOSED) {
              System.arraycopy(out, 0, out, 1, i);
              out[0] = s;
            }
            break;
          }
        }
      }
    }
    return java.util.Arrays.asList(out);
  }

  /** Remembers which provider served a sticky key, so its next requests prefer it (warm prompt caches). */
  public void served(String model, String stickyKey, String providerId) {
    if (sticky != null && stickyKey != null) sticky.put(model + '\u0000' + stickyKey, providerId);
  }

  static int compare(Scored a, Scored b) {
    if (a.cooling() != b.cooling()) return a.cooling() ? 1 : -1;
    int t = Integer.compare(a.tier(), b.tier());
    if (t != 0) return t;
    int s = Double.compare(b.score(), a.score());
    if (s != 0) return s;
    return a.candidate().id().compareTo(b.candidate().id());
  }

  private static double higherIsBetter(double x, double min, double max) {
    return max - min < 1e-12 ? 1.0 : (x - min) / (max - min);
  }

  private static double higherIsWorse(double x, double min, double max) {
    return max - min < 1e-12 ? 1.0 : (max - x) / (max - min);
  }
}
