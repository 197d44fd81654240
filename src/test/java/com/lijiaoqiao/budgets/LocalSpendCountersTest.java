package com.lijiaoqiao.budgets;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The in-memory counters: check and hold together, holds count until settled, settling counts the actual cost. */
class LocalSpendCountersTest {
  static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");
  final LocalSpendCounters counters = new LocalSpendCounters(() -> NOW);

  List<SpendCounters.Line> lines(long keyDay) {
    return Budgets.lines(7, new Budget(keyDay, null, null), 3, Budget.NONE, NOW);
  }

  @Test
  void holdsInFlightCountAgainstTheBudgetUntilSettled() {
    assertThat(counters.hold("r1", lines(100), 60).result().held()).isTrue();
    SpendCounters.Verdict second = counters.hold("r2", lines(100), 60).result();
    assertThat(second.held()).isFalse();
    assertThat(second.refusedBy().budget()).isEqualTo("key_day");
    assertThat(second.heldMicros()).isEqualTo(60);

    String keyDay = lines(100).get(0).counter();
    counters.settle("r1", List.of(keyDay), lines(100), 30); // cost less than held: the rest is free again
    assertThat(counters.spent(List.of(keyDay)).result().get(keyDay)).isEqualTo(30);
    assertThat(counters.hold("r2", lines(100), 60).result().held()).isTrue();
    assertThat(counters.hold("r3", lines(100), 11).result().held()).isFalse();
    counters.release("r2", List.of(keyDay));
    assertThat(counters.hold("r3", lines(100), 70).result().held()).isTrue();
  }

  @Test
  void aRequestThatFitsExactlyIsAdmitted() {
    assertThat(counters.hold("r1", lines(50), 50).result().held()).isTrue();
  }
}
