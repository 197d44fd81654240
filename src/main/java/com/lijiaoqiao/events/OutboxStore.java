package com.lijiaoqiao.events;

import java.util.List;

/** The outbox in the system of record (implemented in {@code store}). Blocking. */
public interface OutboxStore {
  /** Appends events in their own transaction (for changes that have none: breakers, periodic checks). */
  void append(List<DomainEvent> events);

  /** The oldest unpublished events, in id order. */
  List<DomainEvent> unpublished(int limit);

  void markPublished(List<String> eventIds);

  /**
   * Returns once the events read so far survive a crash (the embedded store writes commits a moment later): the
   * relay publishes nothing a kill -9 could take back, so no consumer ever sees an event the outbox then forgets.
   */
  default void makeDurable() {}

  /** Unpublished events (the relay's lag). */
  long backlog();

  /**
   * Takes or renews the lease of a cluster job for {@code ttlMs}: true when this node holds it now (it did, or the
   * last holder's lease ran out).
   */
  boolean holdLease(String job, String nodeId, long ttlMs);

  void releaseLease(String job, String nodeId);

  /** Deletes published events older than {@code before}; returns how many. */
  int prunePublished(java.time.Instant before);
}
