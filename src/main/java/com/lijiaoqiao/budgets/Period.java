package com.lijiaoqiao.budgets;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;

/** The calendar periods a budget can cover, in UTC: a day from 00:00, a week from Monday, a month from the 1st. */
public enum Period {
  DAY("day"), WEEK("week"), MONTH("month");

  public final String label;

  Period(String label) {
    this.label = label;
  }

  public LocalDate firstDay(Instant at) {
    LocalDate d = LocalDate.ofInstant(at, ZoneOffset.UTC);
    return switch (this) {
      case DAY -> d;
      case WEEK -> d.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
      case MONTH -> d.withDayOfMonth(1);
    };
  }

  public Instant start(Instant at) {
    return firstDay(at).atStartOfDay().toInstant(ZoneOffset.UTC);
  }

  /** When the period containing {@code at} ends: the next one's start, when the budget resets. */
  public Instant end(Instant at) {
    LocalDate first = firstDay(at);
    LocalDate next = switch (this) {
      case DAY -> first.plusDays(1);
      case WEEK -> first.plusWeeks(1);
      case MONTH -> first.plusMonths(1);
    };
    return next.atStartOfDay().toInstant(ZoneOffset.UTC);
  }

  /** Names the period containing {@code at} in counter keys: "d2026-12-01", "w2026-11-30", "m2026-12-01". */
  public String id(Instant at) {
    return label.charAt(0) + firstDay(at).toString();
  }
}
