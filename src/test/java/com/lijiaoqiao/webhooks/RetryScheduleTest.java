package com.lijiaoqiao.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class RetryScheduleTest {
  static final long HOUR = 3_600_000;
  final RetrySchedule defaults = new RetrySchedule(10_000, HOUR, 24 * HOUR, RetrySchedule.FULL_JITTER);

  @Test
  void theCapDoublesFromTenSecondsUpToAnHour() {
    assertThat(defaults.cap(1)).isEqualTo(10_000);
    assertThat(defaults.cap(2)).isEqualTo(20_000);
    assertThat(defaults.cap(3)).isEqualTo(40_000);
    assertThat(defaults.cap(9)).isEqualTo(2_560_000);
    assertThat(defaults.cap(10)).isEqualTo(HOUR);
    assertThat(defaults.cap(1_000)).isEqualTo(HOUR);
  }

  @RepeatedTest(20)
  void fullJitterWaitsAnythingFromZeroToTheCap() {
    for (int n = 1; n < 30; n++) {
      long at = defaults.next(n, 1_000, Long.MAX_VALUE);
      assertThat(at - 1_000).isBetween(0L, defaults.cap(n));
    }
  }

  @Test
  void noAttemptIsScheduledPastTheWindow() {
    RetrySchedule exact = new RetrySchedule(10_000, HOUR, 24 * HOUR, RetrySchedule.NONE);
    assertThat(exact.next(1, 0, 10_000)).isEqualTo(10_000);
    assertThat(exact.next(1, 0, 9_999)).isNull();
    // Back-to-back failures with no jitter: about 30 attempts in the first day, then it has failed.
    long now = 0;
    int attempts = 1;
    for (Long next = exact.next(attempts, now, 24 * HOUR); next != null; next = exact.next(attempts, now, 24 * HOUR)) {
      now = next;
      attempts++;
    }
    assertThat(attempts).isBetween(25, 35);
  }

  @Test
  void nonsenseIsRefused() {
    assertThatThrownBy(() -> new RetrySchedule(0, 1, 1, RetrySchedule.NONE)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RetrySchedule(10, 5, 1, RetrySchedule.NONE)).isInstanceOf(IllegalArgumentException.class);
  }
}
