package com.lijiaoqiao.app;

import com.lijiaoqiao.events.EventSource;
import com.lijiaoqiao.events.Topics;
import com.lijiaoqiao.http.ApiRouter;
import com.lijiaoqiao.http.api.WebhooksApi;
import com.lijiaoqiao.net.AddressGuard;
import com.lijiaoqiao.routing.CredentialCipher;
import com.lijiaoqiao.store.AuditRepository;
import com.lijiaoqiao.store.OutboxRepository;
import com.lijiaoqiao.store.WebhookRepository;
import com.lijiaoqiao.webhooks.DeliveryWorker;
import com.lijiaoqiao.webhooks.RetrySchedule;
import com.lijiaoqiao.webhooks.WebhookFanout;
import com.lijiaoqiao.webhooks.WebhookSender;
import com.lijiaoqiao.webhooks.Webhooks;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import java.net.URI;
import java.time.Clock;
import javax.sql.DataSource;

/**
 * Wires signed webhooks: endpoints and their API, the consumer of {@code llm.events} that turns notifications into
 * deliveries, and the worker (on the node holding its lease) that sends them. URLs pass their own address guard
 * (webhooks.allow_private_addresses / allowed_addresses), at registration and again at each connection.
 */
final class WebhooksRoom implements AutoCloseable {
  final Webhooks webhooks;
  final DeliveryWorker worker;
  private final Vertx vertx;
  private final HttpClient client;
  private final long timer;

  WebhooksRoom(Vertx vertx, GatewayConfig config, DataSource ds, OutboxRepository outbox, EventSource events,
               CredentialCipher cipher, AuditRepository audit, ApiRouter api, String nodeId) {
    this.vertx = vertx;
    GatewayConfig.Webhooks wc = config.webhooks;
    Clock clock = Clock.systemUTC();
    WebhookRepository store = new WebhookRepository(ds);
    AddressGuard guard = new AddressGuard(wc.allowPrivateAddresses, wc.allowedAddresses);
    long base = Math.max(1, wc.retryBaseMs);
    RetrySchedule schedule = new RetrySchedule(base, Math.max(base, wc.retryMaxMs), Math.max(0, wc.retryWindowMs),
        wc.retryJitter ? RetrySchedule.FULL_JITTER : RetrySchedule.NONE);
    // Sealed with the credential key, bound to the endpoint: a ciphertext copied to another endpoint does not open.
    Webhooks.SecretBox secrets = new Webhooks.SecretBox() {
      @Override
      public String seal(long endpointId, String secret) {
        return cipher.encrypt("webhook:" + endpointId, secret);
      }

      @Override
      public String open(long endpointId, String sealed) {
        return cipher.decrypt("webhook:" + endpointId, sealed);
      }
    };
    this.webhooks = new Webhooks(store, secrets, url -> {
      try {
        guard.checkUrl(url);
        guard.resolveBlocking(URI.create(url).getHost());
      } catch (AddressGuard.Refused e) {
        throw new IllegalArgumentException(e.getMessage().replace("base URL", "URL").replace("upstream host", "host"));
      }
    }, Math.max(1, wc.maxEndpointsPerTenant), schedule, clock);
    new WebhooksApi(webhooks, audit).register(api);
    events.subscribe(Topics.EVENTS, WebhookFanout.GROUP, new WebhookFanout(store, schedule, clock));
    long timeoutMs = Math.max(1, wc.timeoutMs);
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false)
            .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMs)),
        new PoolOptions().setHttp1MaxSize(Math.max(1, wc.maxInFlight)));
    int every = Math.max(10, wc.pollIntervalMs);
    this.worker = new DeliveryWorker(vertx, store, outbox, secrets, new WebhookSender(vertx, client, guard, timeoutMs),
        schedule, new DeliveryWorker.Settings(timeoutMs, Math.max(1, wc.maxInFlight), Math.max(2_000L, every * 10L),
            Math.max(0, wc.disableAfterMs), Math.max(1, wc.disableAfterFailures)), nodeId, clock);
    this.timer = vertx.setPeriodic(every, id -> worker.tick());
  }

  @Override
  public void close() {
    vertx.cancelTimer(timer);
    worker.stop();
    client.close();
  }
}
