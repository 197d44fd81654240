package com.lijiaoqiao.billing;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Exact money: integer micro-units (1e-6) of the platform currency, in a long. No floating point anywhere.
 * Amounts reach clients as decimal strings ("10.00", "0.000123").
 */
public final class Money {
  public static final long MICROS_PER_UNIT = 1_000_000L;

  private Money() {}

  /**
   * Parses a decimal amount ("5", "5.00", "0.000001"). More than 6 decimals, exponents, signs where not
   * allowed, or anything that is not a plain number is refused with IllegalArgumentException.
   */
  public static long parse(String text, boolean allowZero) {
    if (text == null || !text.matches("\\d{1,12}(\\.\\d{1,6})?")) {
      throw new IllegalArgumentException("must be a decimal amount with at most 6 decimals, like \"5.00\"");
    }
    long micros = new BigDecimal(text).movePointRight(6).longValueExact();
    if (micros == 0 && !allowZero) {
      throw new IllegalArgumentException("must be greater than zero");
    }
    return micros;
  }

  /** "12.50", "0.000123", "-1.00": at least two decimals, at most six, no trailing zeros beyond two. */
  public static String format(long micros) {
    BigDecimal d = BigDecimal.valueOf(micros, 6).stripTrailingZeros();
    if (d.scale() < 2) d = d.setScale(2, RoundingMode.UNNECESSARY);
    return d.toPlainString();
  }

  public static BigDecimal toDecimal(long micros) {
    return BigDecimal.valueOf(micros, 6);
  }

  /**
   * Cost of {@code tokens} at {@code pricePer1MMicros} per million tokens, in micro-units, exact before the
   * single rounding step (half up) — see docs/billing.md.
   */
  public static long costOf(long tokens, long pricePer1MMicros) {
    return divideRoundHalfUp(Math.multiplyExact(tokens, pricePer1MMicros), 1_000_000L);
  }

  /** Sum of several token×price products, rounded once (half up) to micro-units. */
  public static long costOf(long[] tokens, long[] pricesPer1MMicros) {
    return divideRoundHalfUp(exactCostOf(tokens, pricesPer1MMicros), 1_000_000L);
  }

  /** One micro-unit in the exact unit of {@link #exactCostOf} (tokens × price per 1M tokens in micro-units). */
  public static final long EXACT_PER_MICRO = 1_000_000L;

  /**
   * Sum of several token×price products without any rounding, in 10⁻⁶ micro-units (prices are micro-units per
   * million tokens, so the product is exact). Saturates instead of overflowing: a count no upstream can mean
   * costs the most a long can say, never an error.
   */
  public static long exactCostOf(long[] tokens, long[] pricesPer1MMicros) {
    long total = 0;
    for (int i = 0; i < tokens.length; i++) {
      long t = Math.max(0, tokens[i]);
      long p = Math.max(0, pricesPer1MMicros[i]);
      long product = Math.multiplyHigh(t, p) != 0 || (t != 0 && p > Long.MAX_VALUE / t) ? Long.MAX_VALUE : t * p;
      total = product > Long.MAX_VALUE - total ? Long.MAX_VALUE : total + product;
    }
    return total;
  }

  /** An exact cost ({@link #exactCostOf}'s unit) rounded half up to micro-units. */
  public static long roundExact(long exact) {
    return divideRoundHalfUp(exact, EXACT_PER_MICRO);
  }

  static long divideRoundHalfUp(long value, long divisor) {
    long q = value / divisor;
    long r = value % divisor;
    return r * 2 >= divisor ? q + 1 : q;
  }
}
