package com.lijiaoqiao.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MoneyTest {
  @Test
  void parsesAndFormatsExactly() {
    assertThat(Money.parse("5.00", false)).isEqualTo(5_000_000);
    assertThat(Money.parse("0.000001", false)).isEqualTo(1);
    assertThat(Money.parse("123456789012.5", false)).isEqualTo(123_456_789_012_500_000L);
    assertThat(Money.format(10_000_000)).isEqualTo("10.00");
    assertThat(Money.format(123)).isEqualTo("0.000123");
    assertThat(Money.format(-1_500_000)).isEqualTo("-1.50");
    for (String bad : new String[] {"", "1e3", "-1", "0.0000001", "1,00", " 1", "NaN", "1.", ".5", "abc"}) {
      assertThatThrownBy(() -> Money.parse(bad, true)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> Money.parse("0.00", false)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void costIsRoundedOnceHalfUp() {
    // 1 token at 0.15 per 1M = 0.15 micro-units → rounds to 0; 4 tokens = 0.6 → 1.
    assertThat(Money.costOf(1, 150_000)).isZero();
    assertThat(Money.costOf(4, 150_000)).isEqualTo(1);
    // Components are summed before rounding: 3 × 0.5 micro = 1.5 → 2, not 3 × round(0.5) = 3.
    assertThat(Money.costOf(new long[] {1, 1, 1}, new long[] {500_000, 500_000, 500_000})).isEqualTo(2);
    ModelPrice gpt4oMini = new ModelPrice("gpt-4o-mini", 150_000, 600_000, 75_000, 16_384);
    // 1000 prompt (400 cached) + 500 completion: 600×0.15 + 400×0.075 + 500×0.60 = 90 + 30 + 300 = 420 micro.
    assertThat(gpt4oMini.cost(1000, 400, 500)).isEqualTo(420);
    assertThat(gpt4oMini.estimate(1000, 16_384)).isEqualTo(150 + 9830);
    // Cache writes at their own (premium) price: 1000 prompt = 600 plain + 100 read + 300 written.
    ModelPrice sonnet = new ModelPrice("claude", 3_000_000, 15_000_000, 300_000, 8192, 3_750_000);
    assertThat(sonnet.cost(1000, 100, 300, 10)).isEqualTo(1800 + 30 + 1125 + 150);
    assertThat(new ModelPrice("m", 3_000_000, 15_000_000, 300_000, 8192).cacheWritePer1M()).isEqualTo(3_000_000);
    // Cached tokens beyond the prompt are not a discount beyond the prompt.
    assertThat(gpt4oMini.cost(10, 50, 0)).isEqualTo(Money.costOf(10, 75_000));
  }

  @Test
  void tinyCostsAccumulateBelowTheMicroUnitSoAMillionRequestsCostWhatTheirTokensCost() {
    // 24 tokens at 0.02 per 1M: 0.00000048 each — a half-up micro-unit rounding would make every one free.
    ModelPrice embed = new ModelPrice("embed", 20_000, 0, 20_000, 0);
    assertThat(embed.cost(24, 0, 0)).isZero();
    Wallets w = new Wallets(0);
    long charged = 0;
    for (int i = 0; i < 1_000_000; i++) charged += w.chargeExact(7, embed.exactCost(24, 0, 0, 0));
    assertThat(charged).isEqualTo(480_000); // 0.48: exactly 24 × 10⁶ tokens × 0.02 / 10⁶
    assertThat(w.carry(7)).isZero();
    // Never more than the exact cost, never less by a micro-unit.
    long exact = 0;
    charged = 0;
    for (int i = 1; i <= 1000; i++) {
      long e = embed.exactCost(i, 0, 0, 0);
      exact += e;
      charged += w.chargeExact(8, e);
      assertThat(charged * Money.EXACT_PER_MICRO).isLessThanOrEqualTo(exact);
      assertThat(exact - charged * Money.EXACT_PER_MICRO).isLessThan(Money.EXACT_PER_MICRO);
    }
  }

  @Test
  void absurdTokenCountsSaturateInsteadOfOverflowing() {
    ModelPrice p = new ModelPrice("m", 10_000_000_000L, 10_000_000_000L, 0, 16);
    assertThat(p.exactCost(Long.MAX_VALUE, 0, 0, Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
    assertThat(p.estimate(Long.MAX_VALUE / 2, Long.MAX_VALUE / 2)).isPositive();
  }
}
