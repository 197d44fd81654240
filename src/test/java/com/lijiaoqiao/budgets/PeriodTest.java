package com.lijiaoqiao.budgets;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class PeriodTest {
  // A Wednesday late in the day, in UTC.
  static final Instant AT = Instant.parse("2026-12-02T23:59:59Z");

  @Test
  void aDayRunsFromMidnightUtc() {
    assertThat(Period.DAY.start(AT)).isEqualTo(Instant.parse("2026-12-02T00:00:00Z"));
    assertThat(Period.DAY.end(AT)).isEqualTo(Instant.parse("2026-12-03T00:00:00Z"));
  }

  @Test
  void aWeekRunsFromMondayAcrossAMonthEnd() {
    assertThat(Period.WEEK.start(AT)).isEqualTo(Instant.parse("2026-11-30T00:00:00Z"));
    assertThat(Period.WEEK.end(AT)).isEqualTo(Instant.parse("2026-12-07T00:00:00Z"));
    assertThat(Period.WEEK.start(Instant.parse("2026-11-30T00:00:00Z"))).isEqualTo(Instant.parse("2026-11-30T00:00:00Z"));
  }

  @Test
  void aMonthRunsFromTheFirst() {
    assertThat(Period.MONTH.start(AT)).isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
    assertThat(Period.MONTH.end(AT)).isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));
    assertThat(Period.MONTH.id(AT)).isEqualTo("m2026-12-01");
  }
}
