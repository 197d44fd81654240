package com.lijiaoqiao.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Stored responses ({@code store: true}, the API's default), in memory on this node: per tenant, for a TTL, at most
 * {@code maxPerTenant} (the oldest evicted first). They serve {@code previous_response_id}, {@code item_reference}
 * inputs and {@code GET/DELETE /v1/responses/{id}}. No database call on the request path; a response stored on another node
 * is not found here (docs/responses.md: route a conversation to one node, or send the history).
 * Thread-safe: every event loop stores and reads.
 */
public final class ResponsesStore {
  /**
   * One stored response: the turn it continued ({@code previous}, null for a first turn), this turn's own input
   * items and the response object. Turns link instead of copying the history, so memory grows with the items,
   * not with the square of a conversation's length; an evicted turn stays reachable from the turns after it.
   */
  public record Stored(long tenantId, String id, Stored previous, List<JsonNode> input, ObjectNode response,
                       long expiresAtMs, int length) {
    /** The conversation to prepend for a follow-up turn: every turn's input, then its output, oldest first. */
    public List<JsonNode> conversation() {
      ArrayDeque<Stored> turns = new ArrayDeque<>();
      for (Stored s = this; s != null; s = s.previous) turns.addFirst(s);
      List<JsonNode> all = new java.util.ArrayList<>(length);
      for (Stored s : turns) {
        all.addAll(s.input);
        s.response.get("output").forEach(all::add);
      }
      return all;
    }
  }

  private final long ttlMs;
  private final int maxPerTenant;
  private final LongSupplier clock;
  private final Map<String, Stored> byId = new ConcurrentHashMap<>();
  /** Output item id → the id of the stored response holding it (item_reference inputs). */
  private final Map<String, String> itemOwner = new ConcurrentHashMap<>();
  /** Per tenant, ids oldest first (TTL is uniform, so the oldest also expires first). Guarded by the deque. */
  private final Map<Long, ArrayDeque<String>> order = new ConcurrentHashMap<>();

  public ResponsesStore(long ttlSeconds, int maxPerTenant) {
    this(ttlSeconds, maxPerTenant, System::currentTimeMillis);
  }

  ResponsesStore(long ttlSeconds, int maxPerTenant, LongSupplier clock) {
    if (ttlSeconds < 1) throw new IllegalArgumentException("responses.store_ttl_seconds must be at least 1");
    if (maxPerTenant < 1) throw new IllegalArgumentException("responses.max_stored_per_tenant must be at least 1");
    this.ttlMs = ttlSeconds * 1000;
    this.maxPerTenant = maxPerTenant;
    this.clock = clock;
  }

  public void put(long tenantId, String id, Stored previous, List<JsonNode> input, ObjectNode response) {
    long now = clock.getAsLong();
    int length = (previous == null ? 0 : previous.length) + input.size() + response.path("output").size();
    Stored stored = new Stored(tenantId, id, previous, input, response, now + ttlMs, length);
    Stored replaced = byId.put(id, stored);
    if (replaced != null) forgetItems(replaced);
    for (JsonNode item : response.path("output")) {
      String itemId = item.path("id").asText(null);
      if (itemId != null) itemOwner.put(itemId, id);
    }
    ArrayDeque<String> ids = order.computeIfAbsent(tenantId, t -> new ArrayDeque<>());
    synchronized (ids) {
      ids.addLast(id);
      while (!ids.isEmpty()) {
        String oldest = ids.peekFirst();
        Stored s = byId.get(oldest);
        boolean gone = s == null || s.expiresAtMs <= now;
        if (!gone && ids.size() <= maxPerTenant) break;
        ids.pollFirst();
        if (s != null) remove(s);
      }
    }
  }

  /** The tenant's stored response, or null (unknown, expired, deleted, or another tenant's: all look the same). */
  public Stored get(long tenantId, String id) {
    Stored s = byId.get(id);
    if (s == null || s.tenantId != tenantId) return null;
    if (s.expiresAtMs <= clock.getAsLong()) {
      remove(s);
      return null;
    }
    return s;
  }

  /**
   * One output item of the tenant's stored responses by its id (an {@code item_reference}), or null — unknown,
   * expired, deleted and another tenant's alike.
   */
  public JsonNode item(long tenantId, String itemId) {
    String owner = itemOwner.get(itemId);
    Stored s = owner == null ? null : get(tenantId, owner);
    if (s == null) return null;
    for (JsonNode item : s.response.path("output")) {
      if (itemId.equals(item.path("id").asText(null))) return item;
    }
    return null;
  }

  private boolean remove(Stored s) {
    if (!byId.remove(s.id, s)) return false;
    forgetItems(s);
    return true;
  }

  private void forgetItems(Stored s) {
    for (JsonNode item : s.response.path("output")) {
      String itemId = item.path("id").asText(null);
      if (itemId != null) itemOwner.remove(itemId, s.id);
    }
  }

  /** True when the tenant had it. The id stays in the eviction queue until it reaches the front (harmless). */
  public boolean delete(long tenantId, String id) {
    Stored s = get(tenantId, id);
    return s != null && remove(s);
  }

  /** Drops what has expired (called periodically, so idle tenants' responses do not linger). */
  public void sweep() {
    long now = clock.getAsLong();
    byId.values().forEach(s -> {
      if (s.expiresAtMs <= now) remove(s);
    });
    order.values().forEach(ids -> {
      synchronized (ids) {
        ids.removeIf(id -> !byId.containsKey(id));
      }
    });
  }

  public int size() {
    return byId.size();
  }

  /** Output items findable by id (tests: the index forgets what the store forgets). */
  int indexedItems() {
    return itemOwner.size();
  }
}
