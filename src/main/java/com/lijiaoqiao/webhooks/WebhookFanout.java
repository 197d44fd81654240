package com.lijiaoqiao.webhooks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.lijiaoqiao.events.DomainEvent;
import com.lijiaoqiao.events.EventSource;
import com.lijiaoqiao.events.EventTypes;
import com.lijiaoqiao.webhooks.WebhookStore.Endpoint;
import java.time.Clock;

/**
 * The webhook sender's consumer of {@code llm.events}: each notification becomes one delivery per enabled endpoint that
 * wants it (the event tenant's own, and the operators'). A delivery is unique per event and endpoint, so an event the
 * bus hands over twice (at least once) still makes one. Blocking; runs on the bus's worker thread.
 */
public final class WebhookFanout implements EventSource.Handler {
  /** The consumer group (Kafka) the sender reads as. */
  public static final String GROUP = "notification-service";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final WebhookStore store;
  private final RetrySchedule schedule;
  private final Clock clock;

  public WebhookFanout(WebhookStore store, RetrySchedule schedule, Clock clock) {
    this.store = store;
    this.schedule = schedule;
    this.clock = clock;
  }

  @Override
  public void handle(DomainEvent e) throws Exception {
    if (!EventTypes.NOTIFICATIONS.contains(e.type())) return;
    String body = null;
    for (Endpoint ep : store.enabledFor(e.tenantId())) {
      if (!ep.wants(e.type())) continue;
      // An event from before the endpoint existed is not its: a consumer group replaying old records (Kafka's first
      // start reads from the oldest kept) must not flood a new endpoint with history.
      if (ep.createdAt() != null && e.at() != null && e.at().isBefore(ep.createdAt().minusSeconds(1))) continue;
      if (body == null) body = body(e);
      long now = clock.millis();
      store.addDelivery(ep.id(), e, body, now, now + schedule.windowMs());
    }
  }

  /** What is posted: {"id", "type", "created_at", "tenant_id", "data": the event's payload}. */
  public static String body(DomainEvent e) throws Exception {
    ObjectNode n = JSON.createObjectNode();
    n.put("id", e.id());
    n.put("type", e.type());
    n.put("created_at", e.at().toString());
    if (e.tenantId() == null) n.putNull("tenant_id");
    else n.put("tenant_id", e.tenantId());
    n.set("data", JSON.readTree(e.payload() == null ? "{}" : e.payload()));
    return JSON.writeValueAsString(n);
  }
}
