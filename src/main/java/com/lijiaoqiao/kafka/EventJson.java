package com.lijiaoqiao.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.lijiaoqiao.events.DomainEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * A {@link DomainEvent} as a Kafka record's value: {@code {"id", "type", "topic", "tenant_id", "at", "payload"}},
 * the payload as a JSON object (not a string), {@code at} in ISO-8601. The topic is the seed's name, without a prefix.
 */
public final class EventJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private EventJson() {}

  public static String write(DomainEvent e) {
    ObjectNode n = JSON.createObjectNode();
    n.put("id", e.id());
    n.put("type", e.type());
    n.put("topic", e.topic());
    if (e.tenantId() == null) n.putNull("tenant_id");
    else n.put("tenant_id", e.tenantId());
    n.put("at", e.at().toString());
    try {
      n.set("payload", e.payload() == null ? JSON.nullNode() : JSON.readTree(e.payload()));
      return JSON.writeValueAsString(n);
    } catch (IOException ex) {
      throw new UncheckedIOException("event " + e.id() + " has a payload that is not JSON", ex);
    }
  }

  public static DomainEvent read(String value) {
    try {
      JsonNode n = JSON.readTree(value);
      JsonNode tenant = n.path("tenant_id");
      JsonNode payload = n.path("payload");
      return new DomainEvent(n.path("id").asText(), n.path("type").asText(), n.path("topic").asText(),
          tenant.isNumber() ? tenant.asLong() : null, Instant.parse(n.path("at").asText()),
          payload.isMissingNode() || payload.isNull() ? null : JSON.writeValueAsString(payload));
    } catch (IOException | RuntimeException ex) {
      throw new IllegalArgumentException("not an event record: " + ex.getMessage(), ex);
    }
  }

  /** The record key: the tenant (every event of a tenant in one partition, in order), or "platform". */
  public static String key(DomainEvent e) {
    return e.tenantId() == null ? "platform" : Long.toString(e.tenantId());
  }
}
