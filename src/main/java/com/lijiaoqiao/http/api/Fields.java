package com.lijiaoqiao.http.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.billing.Money;
import com.lijiaoqiao.http.ErrorCode;
import com.lijiaoqiao.http.GatewayException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reading the values a management request sends, each against its documented bound (docs/api.md, "Bounds").
 * Everything that is stored is checked here, where it enters: a value out of bounds is a 400 COMMON_001 whose
 * details name the field, never a database error or an overflow later.
 */
public final class Fields {
  /** Names of things (keys, users): the columns are VARCHAR(100). */
  public static final int MAX_NAME = 100;
  public static final int MAX_DESCRIPTION = 200;
  /** Model names: billing_records.model, usage_records.model and model_prices.model are VARCHAR(128). */
  public static final int MAX_MODEL = 128;
  /** providers.base_url is VARCHAR(500). */
  public static final int MAX_URL = 500;
  /** providers.owned_by is VARCHAR(100). */
  public static final int MAX_OWNED_BY = 100;
  /** Upstream credentials are stored encrypted in TEXT; a real one is far shorter. */
  public static final int MAX_CREDENTIAL = 4096;
  /** Stored as "admin:" + key in topups.idempotency_key, VARCHAR(200). */
  public static final int MAX_IDEMPOTENCY_KEY = 128;
  public static final int MAX_NOTE = 500;
  /** allowed_models / allowed_ips of a key, and the models of a provider. */
  public static final int MAX_LIST = 100;
  public static final int MAX_PROVIDER_MODELS = 1000;
  /** A credit or a redemption code: at most 1 000 000.00 at once. */
  public static final long MAX_AMOUNT_MICROS = 1_000_000L * Money.MICROS_PER_UNIT;
  /** A price per 1M tokens: at most 10 000.00, so tokens × price never overflows micro-unit math. */
  public static final long MAX_PRICE_MICROS = 10_000L * Money.MICROS_PER_UNIT;
  /** Times: from 1970 to the end of year 9999 (what every store and Timestamp holds). */
  public static final Instant MIN_TIME = Instant.parse("1970-01-01T00:00:00Z");
  public static final Instant MAX_TIME = Instant.parse("9999-12-31T23:59:59Z");

  private Fields() {}

  /** A 400 COMMON_001 naming the field in its details. */
  public static GatewayException invalid(String field, String message) {
    return new GatewayException(ErrorCode.COMMON_001, message, null, Map.of("field", field), null);
  }

  /** The body as a JSON object (a missing body is an empty object when {@code required} is false). */
  public static JsonNode object(JsonNode body, boolean required) {
    if (body == null && !required) return com.lijiaoqiao.http.ApiRouter.JSON.createObjectNode();
    if (body == null || !body.isObject()) throw GatewayException.badRequest("The request body must be a JSON object.");
    return body;
  }

  /** An integer query parameter; null when absent or empty; 400 naming it when it is not one. */
  public static Long queryLong(io.vertx.core.MultiMap query, String name) {
    String v = query.get(name);
    if (v == null || v.isEmpty()) return null;
    try {
      return Long.parseLong(bounded(name, v, 20));
    } catch (NumberFormatException e) {
      throw invalid(name, "'" + name + "' must be a whole number.");
    }
  }

  /** A string field of at most {@code max} characters; null when absent and not required. */
  public static String text(JsonNode b, String field, boolean required, int max) {
    JsonNode v = b == null ? null : b.get(field);
    if (v == null || v.isNull()) {
      if (required) throw invalid(field, "'" + field + "' is required.");
      return null;
    }
    if (!v.isTextual()) throw invalid(field, "'" + field + "' must be a string.");
    return bounded(field, v.asText(), max);
  }

  /** A string (from a body, a path or a header) checked against its bound. */
  public static String bounded(String field, String value, int max) {
    if (value != null && value.length() > max) {
      throw invalid(field, "'" + field + "' is longer than " + max + " characters.");
    }
    if (value != null && value.indexOf('\u0000') >= 0) {
      // PostgreSQL cannot store U+0000 in text, and no name, note or URL needs it.
      throw invalid(field, "'" + field + "' must not contain NUL characters.");
    }
    return value;
  }

  /** A whole number in [min, max]; {@code dflt} when absent. Floats, strings and huge numbers are refused. */
  public static long integer(JsonNode b, String field, long dflt, long min, long max) {
    JsonNode v = b == null ? null : b.get(field);
    if (v == null || v.isNull()) return dflt;
    if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < min || v.asLong() > max) {
      throw invalid(field, "'" + field + "' must be a whole number from " + min + " to " + max + ".");
    }
    return v.asLong();
  }

  /** Like {@link #integer} but null when absent. */
  public static Long optionalLong(JsonNode b, String field, long min, long max) {
    JsonNode v = b == null ? null : b.get(field);
    if (v == null || v.isNull()) return null;
    return integer(b, field, 0, min, max);
  }

  /** A finite number in [min, max]; {@code dflt} when absent. */
  public static double number(JsonNode b, String field, double dflt, double min, double max) {
    JsonNode v = b == null ? null : b.get(field);
    if (v == null || v.isNull()) return dflt;
    double d = v.asDouble();
    if (!v.isNumber() || !Double.isFinite(d) || d < min || d > max) {
      throw invalid(field, "'" + field + "' must be a number from " + min + " to " + max + ".");
    }
    return d;
  }

  public static boolean bool(JsonNode b, String field, boolean dflt) {
    JsonNode v = b == null ? null : b.get(field);
    if (v == null || v.isNull()) return dflt;
    if (!v.isBoolean()) throw invalid(field, "'" + field + "' must be true or false.");
    return v.asBoolean();
  }

  /** A list of non-blank strings without commas, each at most {@code maxItem} characters, at most {@code maxCount}. */
  public static List<String> strings(JsonNode b, String field, int maxCount, int maxItem) {
    JsonNode v = b == null ? null : b.get(field);
    List<String> out = new ArrayList<>();
    if (v == null || v.isNull()) return out;
    if (!v.isArray()) throw invalid(field, "'" + field + "' must be an array of strings.");
    if (v.size() > maxCount) throw invalid(field, "'" + field + "' has more than " + maxCount + " entries.");
    for (JsonNode x : v) {
      if (!x.isTextual() || x.asText().isBlank() || x.asText().contains(",")) {
        throw invalid(field, "'" + field + "' must be an array of non-empty strings without commas.");
      }
      out.add(bounded(field, x.asText().trim(), maxItem));
    }
    return out;
  }

  /**
   * An amount as a decimal string ("5.00": no client ever sends a float), at most {@code maxMicros} micro-units.
   * Absent and not required: {@code null}.
   */
  public static Long amount(JsonNode b, String field, boolean required, boolean allowZero, long maxMicros) {
    String text = text(b, field, required, 32);
    if (text == null) return null;
    long micros;
    try {
      micros = Money.parse(text, allowZero);
    } catch (IllegalArgumentException e) {
      throw invalid(field, "'" + field + "' " + e.getMessage() + ".");
    }
    if (micros > maxMicros) {
      throw invalid(field, "'" + field + "' must be at most " + Money.format(maxMicros) + ".");
    }
    return micros;
  }

  /** An instant (2026-11-01T00:00:00Z) or a date (2026-11-01, midnight UTC) from 1970 to 9999; null when empty. */
  public static Instant instant(String field, String v) {
    if (v == null || v.isEmpty()) return null;
    Instant t;
    try {
      t = Instant.parse(bounded(field, v, 64));
    } catch (DateTimeParseException e) {
      try {
        t = LocalDate.parse(v).atStartOfDay().toInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException | ArithmeticException e2) {
        throw invalid(field, "'" + field + "' must be a date (2026-11-01) or an instant (2026-11-01T00:00:00Z).");
      }
    }
    if (t.isBefore(MIN_TIME) || t.isAfter(MAX_TIME)) {
      throw invalid(field, "'" + field + "' must be between 1970-01-01 and 9999-12-31.");
    }
    return t;
  }

  /** An expiry: an instant in the future, before the end of year 9999; null when absent. */
  public static Instant expiry(JsonNode b, String field) {
    Instant t = instant(field, text(b, field, false, 64));
    if (t != null && !t.isAfter(Instant.now())) throw invalid(field, "'" + field + "' must be in the future.");
    return t;
  }

  /** A month like 2026-11, from 1970-01 to 9999-12. */
  public static YearMonth month(String field, String v) {
    YearMonth m;
    try {
      m = YearMonth.parse(bounded(field, v == null ? "" : v, 16));
    } catch (DateTimeParseException e) {
      throw invalid(field, "The " + field + " must be a month like 2026-11.");
    }
    if (m.getYear() < 1970 || m.getYear() > 9999) {
      throw invalid(field, "The " + field + " must be a month from 1970-01 to 9999-12.");
    }
    return m;
  }
}
