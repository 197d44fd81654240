package com.lijiaoqiao.risk;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What risk control keeps in the system of record (implemented in {@code store}). Blocking. */
public interface RiskStore {
  record Review(long id, long tenantId, long userId, long keyId, String pattern, int score, String action,
                String context, String requestId, int hits, String status, Long decidedBy, Instant decidedAt,
                String note, Instant createdAt, Instant updatedAt) {}

  /** Policies by scope ('global', 'tenant:<id>') as JSON. */
  Map<String, String> policies();

  void savePolicy(String scope, String json);

  boolean deletePolicy(String scope);

  /**
   * Queues a review, or counts {@code r.hits()} more hits on the open review of the same key and pattern (one open
   * review per pattern); writes its event in the same transaction when the review is new. Returns the review's id.
   */
  long queue(Review r, com.lijiaoqiao.events.DomainEvent event);

  List<Review> reviews(String status, Long tenantId, int limit, long beforeId);

  Optional<Review> review(long id);

  /** Closes an open review with a decision (and its event); false when it was not open. */
  boolean resolve(long id, String status, long decidedBy, String note, com.lijiaoqiao.events.DomainEvent event);

  void suppress(long keyId, List<String> rules, long untilMillis);

  /** Live suppressions: key → rule → until (ms). */
  Map<Long, Map<String, Long>> suppressions(long nowMillis);
}
