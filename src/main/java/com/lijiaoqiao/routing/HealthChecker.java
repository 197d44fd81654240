package com.lijiaoqiao.routing;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;

/**
 * Background checks (their own HTTP client, timers on Vert.x; nothing blocks, nothing delays a request, nothing is
 * billed or recorded as usage), fed into the same breaker state the request path uses:
 * <ul>
 *   <li>every {@code intervalMs}, each enabled provider's model list ({@code GET /models}): a fail counts against
 *       each of its models' breakers; a pass is only shown, since it says nothing about any one model;</li>
 *   <li>every {@code recoveryIntervalMs} (0 = never), each (provider, model) lane whose breaker is not closed gets
 *       a one-token request for that very model: a pass closes the breaker at once (traffic returns to the better
 *       candidate), a fail restarts its open period (so traffic is not the probe). One probe per lane at a time.</li>
 * </ul>
 */
public final class HealthChecker implements AutoCloseable {
  private final Vertx vertx;
  private final Router router;
  private final long timeoutMs;
  private final HttpClient client;
  private final long timerId;
  private final long recoveryTimerId;

  public HealthChecker(Vertx vertx, Router router, long intervalMs, long timeoutMs, long recoveryIntervalMs) {
    this.vertx = vertx;
    this.router = router;
    this.timeoutMs = timeoutMs;
    this.client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout((int) Math.min(timeoutMs,
        Integer.MAX_VALUE)).setKeepAlive(true));
    this.timerId = vertx.setPeriodic(intervalMs, intervalMs, id -> checkAll());
    this.recoveryTimerId = recoveryIntervalMs <= 0 ? -1
        : vertx.setPeriodic(recoveryIntervalMs, recoveryIntervalMs, id -> probeRecovering());
  }

  /** The provider-wide check of every enabled provider. */
  public void checkAll() {
    for (Candidate c : router.allCandidates()) {
      ProviderState st = c.state();
      c.provider().probe(client, timeoutMs).onComplete(ar -> st.health(ar.succeeded() && ar.result()));
    }
  }

  /** A recovery probe of every lane whose breaker is open or half-open (unless one of it is still out). */
  public void probeRecovering() {
    for (Candidate c : router.lanes()) {
      ModelLane lane = c.lane();
      if (lane.breaker.state() == CircuitBreaker.State.CLOSED || !lane.beginProbe()) continue;
      try {
        c.provider().probeModel(client, c.target().upstreamModel(), timeoutMs)
            .onComplete(ar -> lane.probed(ar.succeeded() ? ar.result() : 0));
      } catch (RuntimeException e) {
        lane.probed(0);
      }
    }
  }

  @Override
  public void close() {
    vertx.cancelTimer(timerId);
    if (recoveryTimerId >= 0) vertx.cancelTimer(recoveryTimerId);
    client.close();
  }
}
