package com.lijiaoqiao.metrics;

import com.lijiaoqiao.routing.Candidate;
import com.lijiaoqiao.routing.CircuitBreaker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The gateway's state rather than its requests: queue depths and lag, circuit breakers, risk reviews queued. Cheap
 * values are read at scrape; the dear ones (a database count, Kafka's offsets) are set by a periodic refresh off the
 * event loop ({@link #outboxBacklog}, {@link #kafkaLag}) and only read at scrape.
 */
public final class GatewayGauges {
  private final AtomicLong outboxBacklog = new AtomicLong();
  private final MultiGauge kafkaLag;
  private final MultiGauge breakers;
  private final Supplier<List<Candidate>> lanes;
  private final Counter reviews;
  private final Counter blocks;

  /** {@code lanes}: every (provider, model) lane of the router, read in memory at each scrape. */
  public GatewayGauges(MeterRegistry reg, LongSupplier recorderPending, LongSupplier shipmentsPending,
                       Supplier<List<Candidate>> lanes) {
    this.lanes = lanes;
    Gauge.builder("ljq.usage.recorder.pending", recorderPending::getAsLong)
        .description("Usage records queued for the database").register(reg);
    Gauge.builder("ljq.ledger.shipments.pending", shipmentsPending::getAsLong)
        .description("Journaled settlements not yet shipped to the ledger").register(reg);
    Gauge.builder("ljq.outbox.backlog", outboxBacklog::get)
        .description("Events in the outbox not yet published (refreshed every few seconds)").register(reg);
    this.kafkaLag = MultiGauge.builder("ljq.kafka.consumer.lag")
        .description("Records each Kafka consumer group is behind (refreshed every few seconds)").register(reg);
    this.breakers = MultiGauge.builder("ljq.circuit.breaker.state")
        .description("Circuit breaker per provider and model: 0 closed, 1 half-open, 2 open").register(reg);
    this.reviews = Counter.builder("ljq.risk.flags").description("Risk reviews queued, by action")
        .tag("action", "review").register(reg);
    this.blocks = Counter.builder("ljq.risk.flags").description("Risk reviews queued, by action")
        .tag("action", "block").register(reg);
  }

  public void outboxBacklog(long n) {
    outboxBacklog.set(n);
  }

  public void kafkaLag(Map<String, Long> lagByGroup) {
    List<MultiGauge.Row<?>> rows = new ArrayList<>(lagByGroup.size());
    lagByGroup.forEach((group, lag) -> rows.add(MultiGauge.Row.of(Tags.of("group", group), lag)));
    kafkaLag.register(rows, true);
  }

  /** A risk review was queued ("review" or "block"). */
  public void flagged(String action) {
    ("block".equals(action) ? blocks : reviews).increment();
  }

  /** Reads every lane's breaker now (in memory): called before each scrape. */
  public void refreshBreakers() {
    List<Candidate> all = lanes.get();
    List<MultiGauge.Row<?>> rows = new ArrayList<>(all.size());
    for (Candidate c : all) {
      CircuitBreaker.State s = c.lane().breaker.state();
      int v = s == CircuitBreaker.State.OPEN ? 2 : s == CircuitBreaker.State.HALF_OPEN ? 1 : 0;
      rows.add(MultiGauge.Row.of(Tags.of("provider", c.id(), "model", c.lane().model), v));
    }
    breakers.register(rows, true);
  }
}
