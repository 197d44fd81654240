package com.lijiaoqiao.app;

import com.lijiaoqiao.access.IpAllowList;
import com.lijiaoqiao.metrics.EventLoopDelay;
import com.lijiaoqiao.metrics.GatewayGauges;
import com.lijiaoqiao.metrics.MetricsEndpoint;
import com.lijiaoqiao.metrics.RequestMetrics;
import com.lijiaoqiao.metrics.TenantLabels;
import com.lijiaoqiao.pipeline.RequestObserver;
import com.lijiaoqiao.risk.RiskControl;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires Prometheus metrics (docs/metrics.md): one registry per gateway, the request observer Record hands to each
 * exchange, the gauges over queues and breakers, JVM and event-loop health, and {@code GET /metrics}. With
 * {@code metrics.enabled} false nothing is registered and the observer is a no-op.
 */
final class MetricsRoom implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MetricsRoom.class);
  private static final long REFRESH_MS = 5_000;

  final RequestObserver observer;
  private final Vertx vertx;
  private PrometheusMeterRegistry registry;
  private JvmGcMetrics gc;
  private EventLoopDelay loopDelay;
  private long refreshTimer = -1;
  private final AtomicBoolean refreshing = new AtomicBoolean();

  /** After the router, the events room and risk control exist; before the pipelines are built. */
  MetricsRoom(Vertx vertx, GatewayConfig config, Gateway g, RiskControl risk) {
    this.vertx = vertx;
    GatewayConfig.Metrics mc = config.metrics;
    if (!mc.enabled) {
      this.observer = RequestObserver.NONE;
      return;
    }
    IpAllowList allowed;
    try {
      allowed = IpAllowList.parse(String.join(",", mc.allowedCidrs));
    } catch (IllegalArgumentException e) {
      throw new ConfigLoader.ConfigException("metrics.allowed_cidrs: " + e.getMessage());
    }
    PrometheusMeterRegistry reg = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    this.registry = reg;
    new JvmMemoryMetrics().bindTo(reg);
    this.gc = new JvmGcMetrics();
    gc.bindTo(reg);
    new JvmThreadMetrics().bindTo(reg);
    new ProcessorMetrics().bindTo(reg);
    new UptimeMetrics().bindTo(reg);
    this.observer = new RequestMetrics(reg, m -> g.router().catalog().find(m) != null,
        new TenantLabels(mc.maxTenantLabels));
    GatewayGauges gauges = new GatewayGauges(reg,
        () -> g.recorder() == null ? 0 : g.recorder().pending(),
        () -> g.billing() == null ? 0 : g.billing().pendingShipments(),
        () -> g.router().lanes());
    if (risk != null) risk.onFlag(gauges::flagged);
    com.lijiaoqiao.http.RelaySlots slots = g.relaySlots();
    if (slots != null) {
      io.micrometer.core.instrument.Gauge.builder("ljq.relay.in_flight", slots::inFlight)
          .description("Relayed requests in flight on this node (limit: server.max_in_flight)").register(reg);
      io.micrometer.core.instrument.FunctionCounter.builder("ljq.relay.refused", slots, s -> s.refused())
          .description("Requests answered 503 because every relay slot was taken").register(reg);
    }
    this.loopDelay = new EventLoopDelay(((VertxInternal) vertx).eventLoopGroup(), reg, 100);
    refresh(g, gauges);
    this.refreshTimer = vertx.setPeriodic(REFRESH_MS, id -> refresh(g, gauges));
    g.ops().add("/metrics", new MetricsEndpoint(() -> {
      gauges.refreshBreakers();
      return reg.scrape();
    }, mc.token, allowed));
  }

  /** The outbox count and Kafka lag, both blocking: read on a worker, one refresh at a time, never at scrape. */
  private void refresh(Gateway g, GatewayGauges gauges) {
    if (!refreshing.compareAndSet(false, true)) return;
    vertx.executeBlocking(() -> {
      gauges.outboxBacklog(g.outbox().backlog());
      gauges.kafkaLag(g.kafkaLag());
      return null;
    }, false).onComplete(ar -> {
      refreshing.set(false);
      if (ar.failed()) log.debug("refreshing queue metrics: {}", ar.cause().toString());
    });
  }

  /** The registry other rooms add their meters to; null when metrics are off. */
  io.micrometer.core.instrument.MeterRegistry registry() {
    return registry;
  }

  @Override
  public void close() {
    if (refreshTimer >= 0) vertx.cancelTimer(refreshTimer);
    if (loopDelay != null) loopDelay.close();
    if (gc != null) gc.close();
    if (registry != null) registry.close();
  }
}
