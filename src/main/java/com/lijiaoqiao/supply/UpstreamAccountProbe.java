package com.lijiaoqiao.supply;

import com.lijiaoqiao.net.AddressGuard;
import com.lijiaoqiao.providers.Provider;
import com.lijiaoqiao.providers.Providers;
import com.lijiaoqiao.routing.ProviderDef;
import io.vertx.core.http.HttpClient;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Probes a supplier's account for real: one smallest request per model through the same adapter (and the same
 * address guard) its traffic will use. Blocking: waits for each answer up to the timeout.
 */
public final class UpstreamAccountProbe implements AccountProbe {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(UpstreamAccountProbe.class);
  /** Starts probes outside any Vert.x context (see {@link #probe}). */
  private static final java.util.concurrent.Executor LAUNCHER = java.util.concurrent.Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "ljq-account-probe");
    t.setDaemon(true);
    return t;
  });
  private final HttpClient client;
  private final AddressGuard guard;
  private final long timeoutMs;

  public UpstreamAccountProbe(HttpClient client, AddressGuard guard, long timeoutMs) {
    this.client = client;
    this.guard = guard;
    this.timeoutMs = timeoutMs;
  }

  /** One probe of one model: its HTTP status, or 0 when no answer came (unreachable, refused, reset, timed out). */
  private int once(Provider p, String model, String upstream) {
    try {
      // Started from a thread outside Vert.x, so the request's callbacks run on an event loop — never on the
      // caller's own worker context, which is blocked right here waiting for them.
      return java.util.concurrent.CompletableFuture
          .supplyAsync(() -> p.probeModel(client, upstream, timeoutMs), LAUNCHER)
          .thenCompose(f -> f.toCompletionStage())
          .get(timeoutMs + 1_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      log.info("probing model {} of a supply account: no answer ({})", model, cause.getClass().getSimpleName());
      return 0;
    }
  }

  @Override
  public Report probe(String kind, String baseUrl, String credential, Map<String, String> models) {
    Provider p;
    try {
      p = Providers.create(new ProviderDef("supply-probe", kind, baseUrl, credential, models, true, true, true, 0, 0, 1,
          0, 0, null, true, "market"), null, Math.min(timeoutMs, 10_000), timeoutMs, guard);
    } catch (IllegalArgumentException e) {
      throw SupplyException.invalid("The base URL cannot be used for this vendor.");
    }
    Map<String, Integer> statuses = new LinkedHashMap<>();
    // One verification holds an API worker at most this long, however many models a slow upstream offers: past it,
    // the models not yet probed count as unanswered (the account is refused, the worker is free again).
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2 * timeoutMs);
    for (var m : models.entrySet()) {
      if (System.nanoTime() > deadline) {
        statuses.put(m.getKey(), 0);
        continue;
      }
      int status = once(p, m.getKey(), m.getValue());
      // No answer at all is retried once on a fresh connection: a verdict of "probe failed" should mean the upstream,
      // not one lost request.
      if (status == 0 && System.nanoTime() < deadline) status = once(p, m.getKey(), m.getValue());
      statuses.put(m.getKey(), status);
      if (status == 401 || status == 403) break; // the credential is refused: the other models say nothing more
    }
    return new Report(statuses);
  }
}
