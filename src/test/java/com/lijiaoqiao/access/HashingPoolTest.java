package com.lijiaoqiao.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HashingPoolTest {
  @Test
  void workBeyondTheThreadsAndTheQueueIsRefusedAtOnce() throws Exception {
    try (HashingPool pool = new HashingPool(2, 3)) {
      CountDownLatch release = new CountDownLatch(1);
      List<Future<Boolean>> accepted = new ArrayList<>();
      for (int i = 0; i < 5; i++) accepted.add(pool.submit(() -> release.await(30, TimeUnit.SECONDS)));
      Future<Boolean> refused = pool.submit(() -> true);
      assertThat(refused.failed()).isTrue();
      assertThat(refused.cause()).isInstanceOf(HashingPool.Busy.class);
      assertThat(pool.queued()).isEqualTo(3);
      release.countDown();
      for (Future<Boolean> f : accepted) {
        assertThat(f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS)).isTrue();
      }
      assertThat(pool.submit(() -> "again").toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS))
          .isEqualTo("again");
    }
  }

  @Test
  void aZeroQueueRunsOrRefuses() throws Exception {
    try (HashingPool pool = new HashingPool(1, 0)) {
      CountDownLatch started = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      Future<Boolean> busy = pool.submit(() -> {
        started.countDown();
        return release.await(30, TimeUnit.SECONDS);
      });
      assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
      assertThat(pool.submit(() -> 1).cause()).isInstanceOf(HashingPool.Busy.class);
      release.countDown();
      assertThat(busy.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void failuresOfTheWorkFailTheFuture() throws Exception {
    try (HashingPool pool = new HashingPool(1, 1)) {
      Future<Object> f = pool.submit(() -> {
        throw new IllegalStateException("boom");
      });
      f.toCompletionStage().toCompletableFuture().handle((v, t) -> null).get(30, TimeUnit.SECONDS);
      assertThat(f.cause()).isInstanceOf(IllegalStateException.class).hasMessage("boom");
    }
  }
}
