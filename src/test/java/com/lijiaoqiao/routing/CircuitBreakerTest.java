package com.lijiaoqiao.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.lijiaoqiao.routing.CircuitBreaker.State;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {
  final AtomicLong now = new AtomicLong(1_000_000_000L);
  final CircuitBreaker b = new CircuitBreaker(5, 20, 10, 0.5, 1_000, now::get);

  void advanceMs(long ms) {
    now.addAndGet(ms * 1_000_000L);
  }

  @Test
  void opensAfterFiveConsecutiveFailures() {
    for (int i = 0; i < 4; i++) b.onFailure();
    assertThat(b.state()).isEqualTo(State.CLOSED);
    b.onFailure();
    assertThat(b.state()).isEqualTo(State.OPEN);
    assertThat(b.available()).isFalse();
    assertThat(b.tryAcquire()).isFalse();
  }

  @Test
  void aSuccessResetsTheConsecutiveCount() {
    for (int i = 0; i < 4; i++) b.onFailure();
    b.onSuccess();
    for (int i = 0; i < 4; i++) b.onFailure();
    assertThat(b.state()).isEqualTo(State.CLOSED);
  }

  @Test
  void opensWhenMoreThanHalfOfTheWindowFailed() {
    // Alternating outcomes never reach 5 in a row; 6 failures of 11 is > 50% once 10 calls were seen.
    for (int i = 0; i < 5; i++) {
      b.onFailure();
      b.onSuccess();
    }
    assertThat(b.state()).as("5 of 10 is not more than half").isEqualTo(State.CLOSED);
    b.onFailure();
    assertThat(b.state()).isEqualTo(State.OPEN);
  }

  @Test
  void halfOpenLetsOneProbeThroughAndClosesOnSuccess() {
    for (int i = 0; i < 5; i++) b.onFailure();
    advanceMs(999);
    assertThat(b.tryAcquire()).isFalse();
    advanceMs(1);
    assertThat(b.available()).isTrue();
    assertThat(b.tryAcquire()).isTrue();
    assertThat(b.state()).isEqualTo(State.HALF_OPEN);
    assertThat(b.tryAcquire()).as("only one probe at a time").isFalse();
    b.onSuccess();
    assertThat(b.state()).isEqualTo(State.CLOSED);
    assertThat(b.tryAcquire()).isTrue();
  }

  @Test
  void aFailedProbeOpensAgainForAnotherPeriod() {
    for (int i = 0; i < 5; i++) b.onFailure();
    advanceMs(1_000);
    assertThat(b.tryAcquire()).isTrue();
    b.onFailure();
    assertThat(b.state()).isEqualTo(State.OPEN);
    assertThat(b.tryAcquire()).isFalse();
    assertThat(b.opens()).isEqualTo(2);
  }

  @Test
  void healthChecksFeedTheSameState() {
    for (int i = 0; i < 5; i++) b.onHealth(false);
    assertThat(b.state()).isEqualTo(State.OPEN);
    b.onHealth(true);
    assertThat(b.state()).as("a passing check allows a probe before the open period ends").isEqualTo(State.HALF_OPEN);
    assertThat(b.tryAcquire()).isTrue();
    b.onSuccess();
    assertThat(b.state()).isEqualTo(State.CLOSED);
  }
}
