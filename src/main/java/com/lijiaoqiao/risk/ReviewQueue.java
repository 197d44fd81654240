package com.lijiaoqiao.risk;

import com.lijiaoqiao.events.DomainEvent;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flagged requests on their way to the review queue, coalesced per key and pattern. The first flag of a quiet key is
 * written at once; while a key keeps being flagged (an abusive key flags every request it sends), its further hits are
 * added up and written together a few times a second — so a key sending thousands of requests a second costs the
 * store a few small transactions, not one per request. Hits, the highest score and a block are all kept.
 */
final class ReviewQueue {
  private static final Logger log = LoggerFactory.getLogger(ReviewQueue.class);
  /** Pause between two writes while flags keep arriving: they gather into the next write. */
  static final long COALESCE_MS = 200;

  private record Key(long keyId, String pattern) {}

  /** The first flag's review and event, and what later flags add to it. */
  private record Pending(RiskStore.Review review, DomainEvent event, int hits) {
    Pending plus(int score, String action) {
      RiskStore.Review r = review;
      boolean block = "block".equals(r.action()) || "block".equals(action);
      RiskStore.Review merged = new RiskStore.Review(r.id(), r.tenantId(), r.userId(), r.keyId(), r.pattern(),
          Math.max(r.score(), score), block ? "block" : r.action(), r.context(), r.requestId(), 0, r.status(),
          null, null, null, null, null);
      return new Pending(merged, event, hits + 1);
    }
  }

  private final RiskStore store;
  private final RiskControl.Blocking blocking;
  private final long pauseMs;
  private final Map<Key, Pending> pending = new ConcurrentHashMap<>();
  private final AtomicBoolean writing = new AtomicBoolean();

  ReviewQueue(RiskStore store, RiskControl.Blocking blocking, long pauseMs) {
    this.store = store;
    this.blocking = blocking;
    this.pauseMs = pauseMs;
  }

  /**
   * Non-blocking: counts one more hit on a review of this key and pattern that is waiting to be written, if there is
   * one (true) — the caller then need not build the review, its context or its event at all.
   */
  boolean bump(long keyId, String pattern, int score, String action) {
    return pending.computeIfPresent(new Key(keyId, pattern), (k, p) -> p.plus(score, action)) != null;
  }

  /** Non-blocking: notes the flag and makes sure a writer runs. */
  void add(RiskStore.Review r, DomainEvent event) {
    pending.merge(new Key(r.keyId(), r.pattern()), new Pending(r, event, 1),
        (old, now) -> old.plus(now.review().score(), now.review().action()));
    if (writing.compareAndSet(false, true)) schedule();
  }

  private void schedule() {
    blocking.run(() -> {
      writeAndPause();
      return null;
    }).onFailure(t -> {
      writing.set(false);
      log.warn("writing risk reviews failed: {}", t.toString());
    });
  }

  /**
   * Blocking: writes what is pending; when more arrived meanwhile, pauses and hands over to a new task (one task
   * never runs long, so a storm that lasts minutes holds no worker thread for minutes).
   */
  private void writeAndPause() throws InterruptedException {
    writeOnce();
    if (pending.isEmpty()) {
      writing.set(false);
      // a flag added between the check and the release finds writing still taken: take the work back
      if (pending.isEmpty() || !writing.compareAndSet(false, true)) return;
    }
    Thread.sleep(pauseMs);
    schedule();
  }

  private void writeOnce() {
    for (Iterator<Key> it = pending.keySet().iterator(); it.hasNext(); ) {
      Pending p = pending.remove(it.next());
      if (p == null) continue;
      RiskStore.Review r = p.review();
      RiskStore.Review counted = new RiskStore.Review(r.id(), r.tenantId(), r.userId(), r.keyId(), r.pattern(), r.score(),
          r.action(), r.context(), r.requestId(), p.hits(), r.status(), null, null, null, null, null);
      try {
        store.queue(counted, p.event());
      } catch (RuntimeException e) {
        log.warn("queueing a risk review for key {} failed ({} hits lost): {}", r.keyId(), p.hits(), e.toString());
      }
    }
  }
}
