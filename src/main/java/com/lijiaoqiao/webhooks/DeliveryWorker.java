package com.lijiaoqiao.webhooks;

import com.lijiaoqiao.events.DomainEvent;
import com.lijiaoqiao.events.EventTypes;
import com.lijiaoqiao.events.OutboxStore;
import com.lijiaoqiao.webhooks.WebhookStore.Attempt;
import com.lijiaoqiao.webhooks.WebhookStore.Due;
import com.lijiaoqiao.webhooks.WebhookStore.Endpoint;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends due deliveries, on the one node that holds the job's lease. Each round (on a timer) claims due deliveries on a
 * worker thread, posts them from the event loop, and records every attempt back on a worker thread: delivered on a
 * 2xx, else retried on the {@link RetrySchedule} until the delivery's window closes. An endpoint that has failed without
 * a success for long enough is disabled, and a {@code webhook.disabled} event goes to the outbox with it.
 * Secrets are opened only to sign, and never logged.
 */
public final class DeliveryWorker {
  private static final Logger log = LoggerFactory.getLogger(DeliveryWorker.class);
  public static final String JOB = "webhook-deliveries";
  /** A claimed delivery is not claimed again for the attempt's timeout and this much more (the recording). */
  static final long CLAIM_MARGIN_MS = 30_000;

  /** When an endpoint is given up on: failing for {@code disableAfterMs} and at least {@code disableAfterFailures} times. */
  public record Settings(long timeoutMs, int maxInFlight, long leaseTtlMs, long disableAfterMs, int disableAfterFailures) {}

  private final Vertx vertx;
  private final WebhookStore store;
  private final OutboxStore leases;
  private final Webhooks.SecretBox secrets;
  private final WebhookSender sender;
  private final RetrySchedule schedule;
  private final Settings settings;
  private final String nodeId;
  private final Clock clock;
  private final AtomicBoolean claiming = new AtomicBoolean();
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean stopped;

  public DeliveryWorker(Vertx vertx, WebhookStore store, OutboxStore leases, Webhooks.SecretBox secrets,
                        WebhookSender sender, RetrySchedule schedule, Settings settings, String nodeId, Clock clock) {
    this.vertx = vertx;
    this.store = store;
    this.leases = leases;
    this.secrets = secrets;
    this.sender = sender;
    this.schedule = schedule;
    this.settings = settings;
    this.nodeId = nodeId;
    this.clock = clock;
  }

  /** One round; called by the room's timer on the event loop. A round still claiming is not overtaken. */
  public void tick() {
    if (stopped || inFlight.get() >= settings.maxInFlight() || !claiming.compareAndSet(false, true)) return;
    vertx.executeBlocking(this::claimDue, false).onComplete(ar -> {
      claiming.set(false);
      if (ar.failed()) {
        log.warn("claiming webhook deliveries: {}", ar.cause().toString());
        return;
      }
      for (Due d : ar.result()) send(d);
    });
  }

  /** Blocking: on the lease holder, claims what is due (as much as may be in flight) and opens each one's secret. */
  private List<Due> claimDue() {
    if (stopped || !leases.holdLease(JOB, nodeId, settings.leaseTtlMs())) return List.of();
    int room = settings.maxInFlight() - inFlight.get();
    if (room <= 0) return List.of();
    long now = clock.millis();
    List<Due> claimed = new ArrayList<>();
    for (Due d : store.due(now, room)) {
      if (!store.claim(d.delivery().id(), d.delivery().nextAttemptAtMs(), now + settings.timeoutMs() + CLAIM_MARGIN_MS)) {
        continue;
      }
      inFlight.incrementAndGet();
      claimed.add(d);
    }
    return claimed;
  }

  private void send(Due d) {
    String secret;
    try {
      secret = secrets.open(d.delivery().endpointId(), d.sealedSecret());
    } catch (RuntimeException e) {
      // The message names the endpoint, never the secret.
      log.warn("webhook endpoint {}: {}", d.delivery().endpointId(), e.getMessage());
      record(d, new WebhookSender.Outcome(null, "secret_unreadable", 0, null), clock.instant(), null);
      return;
    }
    Instant started = clock.instant();
    long ts = started.getEpochSecond();
    String body = d.delivery().body();
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("X-Webhook-Id", d.delivery().eventId());
    headers.put("X-Webhook-Event", d.delivery().eventType());
    headers.put("X-Webhook-Timestamp", Long.toString(ts));
    headers.put("X-Webhook-Signature", WebhookSignature.header(secret, ts, body));
    sender.send(d.url(), headers, body).onComplete(ar -> record(d, ar.succeeded() ? ar.result()
        : new WebhookSender.Outcome(null, "error", 0, null), started, secret));
  }

  private void record(Due d, WebhookSender.Outcome o, Instant started, String secret) {
    vertx.executeBlocking(() -> {
      recordBlocking(d, o, started, secret);
      return null;
    }, false).onComplete(ar -> {
      inFlight.decrementAndGet();
      if (ar.failed()) log.warn("recording webhook delivery {}: {}", d.delivery().id(), ar.cause().toString());
    });
  }

  private void recordBlocking(Due d, WebhookSender.Outcome o, Instant started, String secret) {
    long now = clock.millis();
    int number = d.delivery().attempts() + 1;
    boolean delivered = o.delivered();
    Long next = delivered ? null : schedule.next(number, now, d.delivery().giveUpAtMs());
    String prefix = o.responsePrefix();
    if (prefix != null && secret != null && prefix.contains(secret)) prefix = prefix.replace(secret, "[redacted]");
    Attempt a = new Attempt(d.delivery().id(), number, started, o.durationMs(), o.statusCode(), o.errorClass(), prefix,
        next == null ? null : Instant.ofEpochMilli(next));
    Endpoint ep = store.recordAttempt(a, delivered, next, now).orElse(null);
    if (delivered || ep == null || !ep.enabled() || ep.failingSinceMs() == null) return;
    if (now - ep.failingSinceMs() >= settings.disableAfterMs()
        && ep.consecutiveFailures() >= settings.disableAfterFailures()) {
      disable(ep, o, now);
    }
  }

  private void disable(Endpoint ep, WebhookSender.Outcome last, long now) {
    String reason = "failing since " + Instant.ofEpochMilli(ep.failingSinceMs()) + " (" + ep.consecutiveFailures()
        + " failed attempts in a row, last: " + (last.statusCode() != null ? "HTTP " + last.statusCode()
        : last.errorClass()) + ")";
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("endpoint_id", ep.id());
    payload.put("host", host(ep.url())); // not the URL: its path or query may carry the receiver's token
    payload.put("reason", reason);
    payload.put("failing_since", Instant.ofEpochMilli(ep.failingSinceMs()).toString());
    payload.put("consecutive_failures", ep.consecutiveFailures());
    payload.put("disabled_at", Instant.ofEpochMilli(now).toString());
    if (store.disable(ep.id(), reason, DomainEvent.of(EventTypes.WEBHOOK_DISABLED, ep.tenantId(), payload))) {
      log.warn("webhook endpoint {} disabled: {}", ep.id(), reason);
    }
  }

  private static String host(String url) {
    try {
      return URI.create(url).getHost();
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** Deliveries being sent right now on this node. */
  public int inFlight() {
    return inFlight.get();
  }

  public void stop() {
    stopped = true;
    try {
      leases.releaseLease(JOB, nodeId);
    } catch (RuntimeException e) {
      log.debug("releasing the webhook lease: {}", e.toString());
    }
  }
}
