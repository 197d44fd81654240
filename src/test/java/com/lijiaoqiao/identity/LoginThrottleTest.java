package com.lijiaoqiao.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {
  static final long SECOND = 1_000_000_000L;
  final AtomicLong now = new AtomicLong(1_000 * SECOND);

  @Test
  void eachIpAndAccountHoldsItsBudgetAndRefills() {
    LoginThrottle t = new LoginThrottle(3, 2, now::get);
    assertThat(t.tryAcquire("1.1.1.1", "a@x")).isZero();
    assertThat(t.tryAcquire("1.1.1.1", "a@x")).isZero();
    assertThat(t.tryAcquire("1.1.1.1", "a@x")).as("account a: 2 per minute, one every 30 s").isEqualTo(30);
    assertThat(t.tryAcquire("1.1.1.1", "b@x")).isZero();
    assertThat(t.tryAcquire("1.1.1.1", "c@x")).as("ip: 3 per minute, one every 20 s").isEqualTo(20);
    assertThat(t.tryAcquire("2.2.2.2", "c@x")).as("another address is not affected").isZero();
    now.addAndGet(20 * SECOND);
    assertThat(t.tryAcquire("1.1.1.1", "c@x")).isZero();
    assertThat(t.tryAcquire("1.1.1.1", "c@x")).isEqualTo(20);
  }

  @Test
  void aRefusedAttemptTakesNothingAndASuccessGivesItsAttemptBack() {
    LoginThrottle t = new LoginThrottle(1, 0, now::get);
    assertThat(t.tryAcquire("1.1.1.1", "a@x")).isZero();
    assertThat(t.tryAcquire("1.1.1.1", "a@x")).isEqualTo(60);
    now.addAndGet(30 * SECOND);
    assertThat(t.tryAcquire("1.1.1.1", "a@x")).as("half refilled, not set back by the refusal").isEqualTo(30);
    now.addAndGet(30 * SECOND);
    assertThat(t.tryAcquire("1.1.1.1", "a@x")).isZero();
    t.refund("1.1.1.1", "a@x");
    assertThat(t.tryAcquire("1.1.1.1", "a@x")).isZero();
  }

  @Test
  void zeroTurnsALimitOff() {
    LoginThrottle t = new LoginThrottle(0, 0, now::get);
    for (int i = 0; i < 1000; i++) assertThat(t.tryAcquire("1.1.1.1", "a@x")).isZero();
  }
}
