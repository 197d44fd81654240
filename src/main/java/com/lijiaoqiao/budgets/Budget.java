package com.lijiaoqiao.budgets;

/**
 * Spend budgets of a key or a tenant: the most it may spend per day, week and month, in micro-units of the
 * platform currency. A null amount is no budget for that period.
 */
public record Budget(Long dayMicros, Long weekMicros, Long monthMicros) {
  public static final Budget NONE = new Budget(null, null, null);

  public Long amount(Period p) {
    return switch (p) {
      case DAY -> dayMicros;
      case WEEK -> weekMicros;
      case MONTH -> monthMicros;
    };
  }

  public boolean isEmpty() {
    return dayMicros == null && weekMicros == null && monthMicros == null;
  }
}
