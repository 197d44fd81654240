package com.lijiaoqiao.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BackoffTest {
  final Backoff b = new Backoff(200, 5_000);

  @Test
  void growsExponentiallyWithinJitterBoundsAndIsCapped() {
    assertThat(b.delayMs(1, 0.0)).isEqualTo(100);
    assertThat(b.delayMs(1, 0.999)).isBetween(199L, 200L);
    assertThat(b.delayMs(2, 0.0)).isEqualTo(200);
    assertThat(b.delayMs(3, 0.999)).isBetween(799L, 800L);
    assertThat(b.delayMs(10, 0.0)).isEqualTo(2_500);
    assertThat(b.delayMs(60, 0.999)).isLessThanOrEqualTo(5_000);
  }

  @Test
  void jitterSpreadsRetriesAndNeverLoopsTightly() {
    Set<Long> seen = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      long d = b.delayMs(2);
      assertThat(d).isBetween(200L, 400L);
      seen.add(d);
    }
    assertThat(seen.size()).isGreaterThan(20);
  }
}
