package com.lijiaoqiao.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.lijiaoqiao.routing.CircuitBreaker.Permit;
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
  void aHalfOpenBreakerGrantsItsOneProbeAsSuch() {
    assertThat(b.acquire()).isEqualTo(Permit.GRANTED);
    for (int i = 0; i < 5; i++) b.onFailure();
    assertThat(b.acquire()).isEqualTo(Permit.REFUSED);
    advanceMs(1_000);
    assertThat(b.acquire()).as("the attempt that turns it half-open is the probe").isEqualTo(Permit.PROBE);
    assertThat(b.available()).as("a half-open lane with its probe out is no candidate").isFalse();
    assertThat(b.acquire()).isEqualTo(Permit.REFUSED);
    b.onSuccess();
    assertThat(b.acquire()).isEqualTo(Permit.GRANTED);
  }

  @Test
  void aProbeThatNeverReportsFreesTheSlotAfterAnOpenPeriod() {
    for (int i = 0; i < 5; i++) b.onFailure();
    advanceMs(1_000);
    assertThat(b.acquire()).isEqualTo(Permit.PROBE); // e.g. the request's own 400, or its client left: no verdict
    advanceMs(999);
    assertThat(b.acquire()).isEqualTo(Permit.REFUSED);
    advanceMs(1);
    assertThat(b.available()).isTrue();
    assertThat(b.acquire()).isEqualTo(Permit.PROBE);
    assertThat(b.state()).isEqualTo(State.HALF_OPEN);
  }

  @Test
  void aPassingProviderHealthCheckNoLongerEndsAnOpenPeriod() {
    for (int i = 0; i < 5; i++) b.onFailure();
    b.onHealth(true);
    assertThat(b.state()).as("GET /models says nothing about this model").isEqualTo(State.OPEN);
    assertThat(b.available()).isFalse();
    assertThat(b.acquire()).isEqualTo(Permit.REFUSED);
  }

  @Test
  void aFailingProviderHealthCheckCountsLikeAFailure() {
    for (int i = 0; i < 5; i++) b.onHealth(false);
    assertThat(b.state()).isEqualTo(State.OPEN);
    b.onHealth(false);
    assertThat(b.opens()).as("no more while open").isEqualTo(1);
    advanceMs(1_000);
    assertThat(b.acquire()).isEqualTo(Permit.PROBE);
    b.onHealth(false);
    assertThat(b.state()).as("half-open, a failed check opens it again").isEqualTo(State.OPEN);
  }

  @Test
  void aPassingModelProbeClosesAnOpenBreakerAtOnce() {
    for (int i = 0; i < 5; i++) b.onFailure();
    b.onProbe(true);
    assertThat(b.state()).isEqualTo(State.CLOSED);
    assertThat(b.acquire()).isEqualTo(Permit.GRANTED);
    for (int i = 0; i < 4; i++) b.onFailure();
    assertThat(b.state()).as("a fresh count after closing").isEqualTo(State.CLOSED);
  }

  @Test
  void aPassingModelProbeClosesAHalfOpenBreakerToo() {
    for (int i = 0; i < 5; i++) b.onFailure();
    advanceMs(1_000);
    assertThat(b.acquire()).isEqualTo(Permit.PROBE);
    b.onProbe(true);
    assertThat(b.state()).isEqualTo(State.CLOSED);
    assertThat(b.acquire()).isEqualTo(Permit.GRANTED);
  }

  @Test
  void aFailingModelProbeRestartsTheOpenPeriod() {
    for (int i = 0; i < 5; i++) b.onFailure();
    advanceMs(800);
    b.onProbe(false);
    advanceMs(800);
    assertThat(b.available()).as("1.6 s after opening, 0.8 s after the failed probe").isFalse();
    assertThat(b.acquire()).isEqualTo(Permit.REFUSED);
    advanceMs(200);
    assertThat(b.acquire()).isEqualTo(Permit.PROBE);
    assertThat(b.opens()).as("restarting is not another opening").isEqualTo(1);
  }

  @Test
  void aFailingModelProbeReopensAHalfOpenBreaker() {
    for (int i = 0; i < 5; i++) b.onFailure();
    advanceMs(1_000);
    assertThat(b.acquire()).isEqualTo(Permit.PROBE);
    b.onProbe(false);
    assertThat(b.state()).isEqualTo(State.OPEN);
    assertThat(b.acquire()).isEqualTo(Permit.REFUSED);
  }

  @Test
  void aModelProbeLeavesAClosedBreakerAlone() {
    for (int i = 0; i < 4; i++) b.onFailure();
    b.onProbe(false);
    b.onProbe(true);
    assertThat(b.state()).isEqualTo(State.CLOSED);
    b.onFailure();
    assertThat(b.state()).as("the probe did not reset the count either").isEqualTo(State.OPEN);
  }
}
