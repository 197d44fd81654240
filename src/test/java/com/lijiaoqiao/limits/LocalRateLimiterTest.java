package com.lijiaoqiao.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LocalRateLimiterTest {
  final AtomicLong now = new AtomicLong(1_000_000_000L);
  final LocalRateLimiter limiter = new LocalRateLimiter(now::get);

  @Test
  void requestsRefillAtTheirRate() {
    for (int i = 0; i < 3; i++) assertThat(limiter.tryAcquire(1, 3, 1000, 0).allowed()).isTrue();
    RateLimiter.Decision d = limiter.tryAcquire(1, 3, 1000, 0);
    assertThat(d.refusal()).isEqualTo(RateLimiter.Refusal.REQUESTS);
    assertThat(d.retryAfterMs()).isEqualTo(20_000);
    assertThat(d.remainingRequests()).isZero();
    assertThat(d.resetRequestsMs()).isEqualTo(60_000);
    now.addAndGet(20_000_000_000L);
    assertThat(limiter.tryAcquire(1, 3, 1000, 0).allowed()).isTrue();
    assertThat(limiter.tryAcquire(1, 3, 1000, 0).allowed()).isFalse();
  }

  @Test
  void tokensAreChargedUpFrontAndCorrectedAfter() {
    RateLimiter.Decision d = limiter.tryAcquire(2, 100, 1000, 800);
    assertThat(d.allowed()).isTrue();
    assertThat(d.remainingTokens()).isEqualTo(200);
    assertThat(limiter.tryAcquire(2, 100, 1000, 300).refusal()).isEqualTo(RateLimiter.Refusal.TOKENS);
    limiter.adjust(2, 1000, 100 - 800); // it really used 100
    assertThat(limiter.tryAcquire(2, 100, 1000, 300).allowed()).isTrue();
    // a refused request takes nothing
    assertThat(limiter.tryAcquire(2, 100, 1000, 10_000).allowed()).isFalse();
  }

  @Test
  void keysAreIndependentAndALoweredLimitApplies() {
    assertThat(limiter.tryAcquire(3, 1, 1000, 0).allowed()).isTrue();
    assertThat(limiter.tryAcquire(4, 1, 1000, 0).allowed()).isTrue();
    assertThat(limiter.tryAcquire(3, 1, 1000, 0).allowed()).isFalse();
    assertThat(limiter.tryAcquire(5, 10, 1000, 0).allowed()).isTrue();
    assertThat(limiter.tryAcquire(5, 2, 1000, 0).remainingRequests()).isEqualTo(1);
    assertThat(limiter.tryAcquire(5, 2, 1000, 0).allowed()).isTrue();
    assertThat(limiter.tryAcquire(5, 2, 1000, 0).allowed()).isFalse();
  }
}
