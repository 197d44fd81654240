package com.lijiaoqiao.risk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.lijiaoqiao.events.DomainEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A key flagged on every request costs the store a few writes, and no hit, score or block is lost. */
class ReviewQueueTest {
  private final ExecutorService pool = Executors.newFixedThreadPool(2);
  private final List<RiskStore.Review> written = new CopyOnWriteArrayList<>();

  /** Opened by a test to hold the writer back until it has flagged everything (no timing in the test). */
  private final java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
  private volatile boolean gated;

  private final RiskControl.Blocking blocking = new RiskControl.Blocking() {
    @Override
    public <T> Future<T> run(java.util.concurrent.Callable<T> work) {
      Promise<T> p = Promise.promise();
      pool.execute(() -> {
        try {
          if (gated) gate.await();
          p.complete(work.call());
        } catch (Exception e) {
          p.fail(e);
        }
      });
      return p.future();
    }
  };

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  @Test
  void aStormOfFlagsIsWrittenAsAFewCountedReviews() throws Exception {
    gated = true; // the writer starts only once all 5,000 flags are in: they must all be in one write
    ReviewQueue q = new ReviewQueue(new Recording(), blocking, 50);
    for (int i = 0; i < 5_000; i++) { // as RiskControl.flag does: a hit on a pending review, else a new one
      int score = i == 4_000 ? 90 : 40;
      String action = i == 2_500 ? "block" : "review";
      if (!q.bump(7, "velocity", score, action)) q.add(review(7, "velocity", score, action), null);
    }
    q.add(review(8, "velocity", 30, "review"), null);
    gate.countDown();
    awaitHits(5_001);
    assertEquals(2, written.size(), "one counted review per key and pattern");
    int maxScore = 0;
    boolean blocked = false;
    int key8 = 0;
    for (RiskStore.Review r : written) {
      if (r.keyId() == 8) {
        key8 += r.hits();
        continue;
      }
      maxScore = Math.max(maxScore, r.score());
      blocked |= "block".equals(r.action());
    }
    assertEquals(1, key8);
    assertEquals(90, maxScore);
    assertTrue(blocked);
  }

  @Test
  void aHitOnAPendingReviewIsCountedWithoutANewReview() throws Exception {
    gated = true; // the writer waits until the test opens the gate
    ReviewQueue q = new ReviewQueue(new Recording(), blocking, 50);
    assertTrue(!q.bump(5, "velocity", 40, "review"), "nothing pending yet: the caller builds the review");
    q.add(review(5, "velocity", 40, "review"), null);
    int bumped = 0;
    for (int i = 0; i < 100; i++) if (q.bump(5, "velocity", i == 50 ? 99 : 40, "review")) bumped++;
    assertEquals(100, bumped);
    assertTrue(!q.bump(5, "other", 40, "review"), "another pattern has nothing pending");
    gate.countDown();
    awaitHits(101);
    assertEquals(1, written.size());
    assertEquals(99, written.get(0).score());
  }

  @Test
  void aSingleFlagIsWrittenAtOnce() throws Exception {
    ReviewQueue q = new ReviewQueue(new Recording(), blocking, 60_000);
    q.add(review(9, "new_account", 35, "review"), null);
    awaitHits(1);
    q.add(review(9, "new_account", 35, "review"), null); // the writer let go once the queue was empty
    awaitHits(2);
  }

  private void awaitHits(int n) throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (written.stream().mapToInt(RiskStore.Review::hits).sum() < n) {
      assertTrue(System.nanoTime() < deadline, "hits written: " + written.stream().mapToInt(RiskStore.Review::hits).sum());
      Thread.sleep(5);
    }
    Thread.sleep(100);
    assertEquals(n, written.stream().mapToInt(RiskStore.Review::hits).sum());
  }

  private static RiskStore.Review review(long keyId, String pattern, int score, String action) {
    return new RiskStore.Review(0, 1, 2, keyId, pattern, score, action, "{}", "req_x", 1, "open", null, null, null,
        null, null);
  }

  private final class Recording implements RiskStore {
    @Override
    public long queue(Review r, DomainEvent event) {
      written.add(r);
      return written.size();
    }

    @Override public Map<String, String> policies() { return Map.of(); }
    @Override public void savePolicy(String scope, String json) {}
    @Override public boolean deletePolicy(String scope) { return false; }
    @Override public List<Review> reviews(String status, Long tenantId, int limit, long beforeId) { return List.of(); }
    @Override public Optional<Review> review(long id) { return Optional.empty(); }
    @Override public boolean resolve(long id, String status, long decidedBy, String note, DomainEvent event) { return false; }
    @Override public void suppress(long keyId, List<String> rules, long untilMillis) {}
    @Override public Map<Long, Map<String, Long>> suppressions(long nowMillis) { return Map.of(); }
  }
}
