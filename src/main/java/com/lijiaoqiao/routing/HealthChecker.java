package com.lijiaoqiao.routing;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;

/**
 * Probes every enabled provider in the background (its own HTTP client, timers on Vert.x; nothing blocks)
 * and feeds the verdicts into the same breaker state the request path uses. Never delays a request.
 */
public final class HealthChecker implements AutoCloseable {
  private final Vertx vertx;
  private final Router router;
  private final long timeoutMs;
  private final HttpClient client;
  private final long timerId;

  public HealthChecker(Vertx vertx, Router router, long intervalMs, long timeoutMs) {
    this.vertx = vertx;
    this.router = router;
    this.timeoutMs = timeoutMs;
    this.client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout((int) Math.min(timeoutMs,
        Integer.MAX_VALUE)).setKeepAlive(true));
    this.timerId = vertx.setPeriodic(intervalMs, intervalMs, id -> checkAll());
  }

  public void checkAll() {
    for (Candidate c : router.allCandidates()) {
      ProviderState st = c.state();
      c.provider().probe(client, timeoutMs).onComplete(ar -> st.health(ar.succeeded() && ar.result()));
    }
  }

  @Override
  public void close() {
    vertx.cancelTimer(timerId);
    client.close();
  }
}
