package com.lijiaoqiao.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.lijiaoqiao.ids.SortableIds;
import java.time.Instant;
import java.util.Map;

/**
 * Something that happened, as every consumer sees it: a stable id (the same through retries and replays, the key to
 * de-duplicate on), its type ({@code billing.low_balance}), the tenant it concerns (null for the platform), when, and a
 * JSON payload that never holds a secret (ids, amounts, states — no keys, credentials or prompts).
 */
public record DomainEvent(String id, String type, String topic, Long tenantId, Instant at, String payload) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A new event with a fresh id, on the topic its type belongs to. */
  public static DomainEvent of(String type, Long tenantId, Map<String, ?> payload) {
    try {
      return new DomainEvent(newId(), type, Topics.of(type), tenantId, Instant.now(), JSON.writeValueAsString(payload));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("an event payload must be plain JSON values", e);
    }
  }

  /** "evt_", the creation millisecond and 120 random bits: unguessable, and the outbox's index grows in order. */
  public static String newId() {
    return SortableIds.next("evt_", 15);
  }
}
