package com.lijiaoqiao.metrics;

import com.lijiaoqiao.pipeline.Exchange;
import com.lijiaoqiao.pipeline.RequestObserver;
import com.lijiaoqiao.protocol.Dialect;
import com.lijiaoqiao.protocol.TokenUsage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Predicate;

/**
 * The data plane's families (see docs/metrics.md): requests, latency, time to first token, the gateway's own share,
 * errors and limit rejections, tokens and cost, upstream attempts and failover steps. Meters are resolved once per
 * label tuple and kept in nested maps keyed by the label strings the exchange already holds, so a request's end costs
 * a few map reads and no allocation once its tuple has been seen; no locks on that path.
 */
public final class RequestMetrics implements RequestObserver {
  private static final String[] STATUS = {"none", "1xx", "2xx", "3xx", "4xx", "5xx"};
  private static final String NONE = "none";

  private final MeterRegistry reg;
  private final Predicate<String> knownModel;
  private final TenantLabels tenants;
  private final Dialect[] dialects = Dialect.values();
  private final String[] ingress = new String[dialects.length];
  /** ingress → model → provider → its meters. */
  private final Map<String, Map<String, Served>>[] served;
  private final Timer[] overhead;
  private final Map<String, Counter>[] errors;
  private final Map<String, Counter> limits;
  /** model → tenant → tokens and cost. */
  private final Map<String, Map<String, Spend>> spend = new ConcurrentHashMap<>();
  /** provider → outcome → attempts. */
  private final Map<String, Map<String, Counter>> attempts = new ConcurrentHashMap<>();
  private final Map<String, Timer> attemptTime = new ConcurrentHashMap<>();
  private final Counter[] steps;

  /** One (ingress, model, provider): requests and latency by status class, and time to first token. */
  private final class Served {
    final String in;
    final String model;
    final String provider;
    final AtomicReferenceArray<Meters> byStatus = new AtomicReferenceArray<>(STATUS.length);
    /** Made at the tuple's first token: a tuple that never relays one (refusals) costs no histogram. */
    volatile Timer ttft;

    Served(String in, String model, String provider) {
      this.in = in;
      this.model = model;
      this.provider = provider;
    }

    Timer ttft() {
      Timer t = ttft;
      if (t == null) {
        ttft = t = Timer.builder("ljq.request.ttft").description("Time to the first byte of the answer relayed")
            .tags("ingress", in, "model", model, "provider", provider).serviceLevelObjectives(Buckets.REQUEST)
            .register(reg); // a racing twin gets the same timer from the registry
      }
      return t;
    }

    Meters at(int status) {
      Meters m = byStatus.get(status);
      if (m != null) return m;
      String st = STATUS[status];
      m = new Meters(Counter.builder("ljq.requests").description("Data-plane requests, by how they ended")
          .tags("ingress", in, "model", model, "provider", provider, "status", st).register(reg),
          Timer.builder("ljq.request.duration").description("Data-plane request latency, first byte in to last out")
              .tags("ingress", in, "model", model, "provider", provider, "status", st)
              .serviceLevelObjectives(Buckets.REQUEST).register(reg));
      byStatus.compareAndSet(status, null, m); // a racing twin got the same meters from the registry
      return m;
    }
  }

  private record Meters(Counter count, Timer latency) {}

  private record Spend(Counter prompt, Counter completion, Counter cost) {}

  /** {@code knownModel}: whether a public model name is in the catalogue (others are labelled "other"). */
  @SuppressWarnings("unchecked")
  public RequestMetrics(MeterRegistry reg, Predicate<String> knownModel, TenantLabels tenants) {
    this.reg = reg;
    this.knownModel = knownModel;
    this.tenants = tenants;
    this.served = new Map[dialects.length];
    this.overhead = new Timer[dialects.length];
    this.errors = new Map[dialects.length];
    for (int i = 0; i < dialects.length; i++) {
      ingress[i] = dialects[i].name().toLowerCase(java.util.Locale.ROOT);
      served[i] = new ConcurrentHashMap<>();
      errors[i] = new ConcurrentHashMap<>();
      overhead[i] = Timer.builder("ljq.gateway.overhead")
          .description("The gateway's own share of a request: its latency less the time spent in upstream attempts")
          .tag("ingress", ingress[i]).serviceLevelObjectives(Buckets.OVERHEAD).register(reg);
    }
    Map<String, Counter> l = new java.util.HashMap<>();
    for (String code : new String[] {"RATE_LIMIT_001", "RATE_LIMIT_002", "RISK_001"}) {
      l.put(code, Counter.builder("ljq.limit.rejections").description("Requests refused by rate limits or risk control")
          .tag("code", code).register(reg));
    }
    this.limits = Map.copyOf(l);
    String[] stepNames = {"ljq.upstream.retries", "ljq.upstream.fallovers", "ljq.upstream.rescues",
        "ljq.upstream.model.fallbacks"};
    this.steps = new Counter[Step.values().length];
    for (Step s : Step.values()) {
      steps[s.ordinal()] = Counter.builder(stepNames[s.ordinal()]).description("Failover steps: " + s).register(reg);
    }
  }

  @Override
  public void attempt(Exchange ex, String provider, String outcome, int status, long nanos) {
    Map<String, Counter> byOutcome = attempts.get(provider);
    if (byOutcome == null) byOutcome = attempts.computeIfAbsent(provider, p -> new ConcurrentHashMap<>());
    Counter c = byOutcome.get(outcome);
    if (c == null) {
      c = byOutcome.computeIfAbsent(outcome, o -> Counter.builder("ljq.upstream.attempts")
          .description("Upstream attempts, by provider and how each went").tags("provider", provider, "outcome", o)
          .register(reg));
    }
    c.increment();
    if (status <= 0) return; // skipped: nothing was sent
    Timer t = attemptTime.get(provider);
    if (t == null) {
      t = attemptTime.computeIfAbsent(provider, p -> Timer.builder("ljq.upstream.attempt.duration")
          .description("Upstream attempt duration (a stream's: to its end)").tag("provider", p)
          .serviceLevelObjectives(Buckets.REQUEST).register(reg));
    }
    t.record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void step(Exchange ex, Step step) {
    steps[step.ordinal()].increment();
  }

  @Override
  public void ended(Exchange ex) {
    int in = ex.ingress.ordinal();
    String model = modelLabel(ex.model());
    String provider = ex.target == null ? NONE : ex.target.provider().id();
    Map<String, Served> byProvider = served[in].get(model);
    if (byProvider == null) byProvider = served[in].computeIfAbsent(model, m -> new ConcurrentHashMap<>());
    Served s = byProvider.get(provider);
    if (s == null) s = byProvider.computeIfAbsent(provider, p -> new Served(ingress[in], model, p));
    int sc = ex.statusCode / 100;
    Meters m = s.at(sc >= 1 && sc <= 5 ? sc : 0);
    long end = ex.endNanos != 0 ? ex.endNanos : System.nanoTime();
    long total = Math.max(0, end - ex.startNanos);
    m.count().increment();
    m.latency().record(total, TimeUnit.NANOSECONDS);
    if (ex.firstTokenNanos != 0) s.ttft().record(Math.max(0, ex.firstTokenNanos - ex.startNanos), TimeUnit.NANOSECONDS);
    if (ex.upstreamNanos > 0) overhead[in].record(Math.max(0, total - ex.upstreamNanos), TimeUnit.NANOSECONDS);
    String code = ex.errorCode;
    if (code != null) {
      Counter e = errors[in].get(code);
      if (e == null) {
        e = errors[in].computeIfAbsent(code, c -> Counter.builder("ljq.request.errors")
            .description("Requests that ended in an error, by its code").tags("ingress", ingress[in], "code", c)
            .register(reg));
      }
      e.increment();
      Counter l = limits.get(code);
      if (l != null) l.increment();
    }
    spent(ex, model);
  }

  private void spent(Exchange ex, String model) {
    TokenUsage u = ex.usage;
    long prompt = u == null ? 0 : u.promptTokens();
    long completion = u == null ? 0 : u.completionTokens();
    if (prompt <= 0 && completion <= 0 && ex.costMicros <= 0) return;
    String tenant = ex.principal == null ? NONE : tenants.label(ex.principal.tenantId());
    Map<String, Spend> byTenant = spend.get(model);
    if (byTenant == null) byTenant = spend.computeIfAbsent(model, k -> new ConcurrentHashMap<>());
    Spend sp = byTenant.get(tenant);
    if (sp == null) {
      sp = byTenant.computeIfAbsent(tenant, t -> new Spend(tokens(model, t, "prompt"), tokens(model, t, "completion"),
          Counter.builder("ljq.cost.micros").description("Cost charged, in micro-units of the billing currency")
              .tags("model", model, "tenant", t).register(reg)));
    }
    if (prompt > 0) sp.prompt().increment(prompt);
    if (completion > 0) sp.completion().increment(completion);
    if (ex.costMicros > 0) sp.cost().increment(ex.costMicros);
  }

  private Counter tokens(String model, String tenant, String kind) {
    return Counter.builder("ljq.tokens").description("Tokens used, by model, tenant and kind")
        .tags("model", model, "tenant", tenant, "kind", kind).register(reg);
  }

  private String modelLabel(String model) {
    if (model == null || model.isEmpty()) return NONE;
    return knownModel.test(model) ? model : "other";
  }
}
