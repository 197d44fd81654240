package com.lijiaoqiao.events;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the outbox: on the node holding the relay's lease, the oldest unpublished events go to the publisher in
 * id order, and are marked published only once it accepted them (at least once; a relay that dies in between leaves
 * them to the next holder). Called on a timer, off the event loop; blocking.
 */
public final class OutboxRelay {
  private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);
  public static final String JOB = "outbox-relay";
  private final OutboxStore store;
  private final Publisher publisher;
  private final String nodeId;
  private final long leaseTtlMs;
  private final int batchSize;
  private volatile long published;

  public OutboxRelay(OutboxStore store, Publisher publisher, String nodeId, long leaseTtlMs, int batchSize) {
    this.store = store;
    this.publisher = publisher;
    this.nodeId = nodeId;
    this.leaseTtlMs = leaseTtlMs;
    this.batchSize = batchSize;
  }

  /** One round: publishes batches until the outbox is empty (or a publish fails). Returns how many it published. */
  public int drain() {
    if (!store.holdLease(JOB, nodeId, leaseTtlMs)) return 0;
    int total = 0;
    for (int round = 0; round < 100; round++) {
      List<DomainEvent> batch = store.unpublished(batchSize);
      if (batch.isEmpty()) break;
      try {
        store.makeDurable();
        publisher.publish(batch).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (Exception e) {
        log.warn("publishing {} outbox events failed (they stay unpublished): {}", batch.size(), e.toString());
        break;
      }
      store.markPublished(batch.stream().map(DomainEvent::id).toList());
      total += batch.size();
      published += batch.size();
      if (batch.size() < batchSize) break;
    }
    return total;
  }

  /** Events this node's relay has published (tests, metrics). */
  public long published() {
    return published;
  }

  public void stop() {
    try {
      store.releaseLease(JOB, nodeId);
    } catch (RuntimeException e) {
      log.debug("releasing the relay's lease: {}", e.toString());
    }
  }
}
