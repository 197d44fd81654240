package com.lijiaoqiao.hostile;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

/**
 * Hostile values as raw JSON text (so they can be what no JSON library would write: 1e309, NaN, invalid UTF-8,
 * 10 000 levels of nesting). No value names a real model or a real id, so no generated request can reconfigure or
 * revoke what the test itself relies on.
 */
final class HostileValues {
  private HostileValues() {}

  static final List<String> EXTREME_DATES = List.of(
      "+999999999-12-31T23:59:59Z", "-999999999-01-01T00:00:00Z", "+999999999-12-31T23:59:59.999999999Z",
      "+999999999-12-31", "-999999999-01-01", "+999999999-12", "-999999999-01", "9999-12-31T23:59:59Z",
      "10000-01-01T00:00:00Z", "+10000-01-01T00:00:00Z", "0000-01-01T00:00:00Z", "-0001-01-01T00:00:00Z",
      "1970-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "2038-01-19T03:14:08Z", "+292278994-08-17T07:12:55.807Z",
      "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-06-01T25:00:00Z", "2026-06-01T00:00:00+25:00",
      "2026-06-01T00:00:00+18:00", "2026-06-01T00:00:60Z", "2026-06-01", "2026-13", "2026-00", "2026-1", "0000-00",
      "9999-12", "10000-01", "+999999999-99", "1e309", "2026-06-01T00:00:00.0000000001Z", "now", "");

  static final List<String> NUMBERS = List.of(
      "0", "-0", "-1", "1", "1.5", "-1.5", "0.1", "0.0", "-0.0", "1e309", "-1e309", "1e-400", "4.9e-324",
      "1.7976931348623157e308", "2147483647", "2147483648", "-2147483649", "4294967296", "9223372036854775807",
      "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "18446744073709551616",
      "99999999999999999999999", "123456789012345678901234567890.123456789", "1E2", "1e+2", "1e-2",
      "100000000000000000000000000000000000000000000000000e-50", "0.000001", "0.0000001", "10000001", "1000000001");

  /** Not JSON at all: the body becomes malformed (a 400, never a 500). */
  static final List<String> INVALID_NUMBERS = List.of(
      "NaN", "-NaN", "Infinity", "-Infinity", "+1", "01", "-01", ".5", "1.", "0x10", "1e", "--1", "1_000", "∞",
      "1e99999999999", "0e", "١");

  static final List<String> MONEY = List.of(
      "5.00", "0", "0.00", "-5.00", "+5.00", "5.0000001", "1e3", "1E-3", "NaN", "Infinity", "-0", "-0.00",
      "99999999999999999999.00", "99999999999999999999999", "9223372036854.775807", "9223372036854.775808",
      "9223372036854775807", "0.000001", "0.0000005", " 5.00", "5.00 ", "5,00", "1,000.00", "５.００", "0x10", "",
      ".5", "5.", "١٢", "5.00.00", "1e309");

  static final List<String> STRINGS = List.of(
      "", " ", "\\u0000", "a\\u0000b", "\\ud800", "\\udfff\\ud800", "\\t\\n\\r", "%00", "%zz", "' OR '1'='1", "\\\"",
      "${jndi:ldap://127.0.0.1:9/a}", "<script>alert(1)</script>", "../../../../etc/passwd", "NaN", "-0", "null",
      "true", "[]", "{}", "a@b", "@", "a@@b", "LJQ-0000-0000-0000", "lrt-not-a-token", "lgw-not-a-key",
      "模型🙂", "\\u202eevil", "\\uffff\\ufffe", "hx-model-x", "ACTIVE", "Admin", "root", "*", "%", "_", "\\\\",
      "\\/\\/", "\\u00e9", "😀😀😀😀😀😀😀😀", "Ω≈ç√∫", "a,b", "a;b", "127.0.0.1/99", "::1", "0.0.0.0/0", "256.256.256.256",
      "http://127.0.0.1:9/", "javascript:alert(1)", "file:///etc/passwd", "CON", "\\u0007");

  static final List<Integer> LONG_STRING_LENGTHS = List.of(127, 128, 129, 200, 201, 255, 256, 257, 500, 501, 1000,
      4096, 10_000);

  static final List<String> PATH_IDS = List.of(
      "-1", "0", "-0", "00", "+0", "%2B0", "99999999999999999999", "9223372036854775807", "9223372036854775808",
      "-9223372036854775808", "-9223372036854775809", "18446744073709551616", "1e3", "1.0", "0x1F", "abc", "%00",
      "1%00", "%00%00", "%zz", "%", "%2", "%2e%2e", "..", ".", "%2F", "%2f..%2f", "%252F", "%ff", "%C0%AF",
      "%E6%A8%A1%E5%9E%8B", "%D9%A1%D9%A2%D9%A3%D9%A4%D9%A5%D9%A6%D9%A7%D9%A8%D9%A9%D9%A0%D9%A1%D9%A2%D9%A3",
      "%20", "+", "%09", "%0d%0aX-Injected:%201", "null", "undefined", "true", "[]", "%7B%7D",
      "'%3B%20DROP%20TABLE%20api_keys%3B--", "%24%7Bjndi%3Aldap%3A%2F%2F127.0.0.1%3A9%2Fa%7D", "%3Cscript%3E",
      "0000000000000000000000000000000000000000", "+999999999-12", "-999999999-01", "+999999999-12-31T23:59:59Z",
      "2026-13", "2026-00", "0000-01", "9999-12", "10000-01", "2026-1", "2026-06-01", "-0001-01");

  /**
   * Model path segments (OpenAI's /v1/models/{id}, Google's /v1beta/models/{model}[:method]): colons (tags, a
   * method inside the id), slashes (vendor/model, models/…), escapes of both, CR/LF, overlong names.
   */
  static final List<String> MODEL_SEGMENTS = List.of(
      ":", "::", "a:", ":a", "a:b", "gemini-2.5-flash:", "gemini-2.5-flash:generateContent",
      "gemini-2.5-flash:embedContent", "ft:gpt-4o-mini:org:hx:1", "gemini-2.5-flash%3AgenerateContent", "%3A", "%3a%3a",
      "models/gemini-2.5-flash", "models%2Fgemini-2.5-flash", "models/", "models%2F", "/", "a/b", "a/b/c", "vendor/model:tag",
      "tunedModels/hx", "gemini-2.5-flash/", "%2F", "%2F%2F", "..%2F..%2Fadmin", "gemini%2D2.5%2Dflash", "gemini-2.5-flash%00",
      "%0D%0A", "a%0Db", "a%0Ab", "gemini-2.5-flash%0D%0AX-Injected:%201", "%E6%A8%A1%E5%9E%8B", "%F0%9F%99%82", "%C0%AF",
      "%ff", "%", "%G0", "a%2", "gemini-2.5-flash%20", "%20", "+", "a+b", "a;b=c", "a,b", "a@b", "a'b", "a%22b",
      "%7B%7D", "~", "*", "gemini-*", "%2A", "models%2Fmodels%2Fx", "x".repeat(128), "x".repeat(129),
      "gemini-2.5-flash-" + "x".repeat(500), "m".repeat(4_000), "a:".repeat(500) + "b");

  static <T> T pick(Random rnd, List<T> list) {
    return list.get(rnd.nextInt(list.size()));
  }

  static String jsonString(String escapedContent) {
    return "\"" + escapedContent + "\"";
  }

  /** A long string of {@code n} characters of a kind: ASCII, 3-byte UTF-8, escapes or digits. */
  static String longContent(Random rnd, int n) {
    String unit = switch (rnd.nextInt(5)) {
      case 0 -> "模";
      case 1 -> "\\u0041";
      case 2 -> "9";
      case 3 -> "a b ";
      default -> "a";
    };
    StringBuilder sb = new StringBuilder(n * unit.length());
    while (sb.length() < n) sb.append(unit);
    return sb.toString();
  }

  static String deep(Random rnd, int depth) {
    boolean arrays = rnd.nextBoolean();
    boolean balanced = rnd.nextInt(4) != 0;
    StringBuilder sb = new StringBuilder(depth * 6);
    for (int i = 0; i < depth; i++) sb.append(arrays ? "[" : "{\"a\":");
    sb.append(arrays ? "1" : "1");
    if (balanced) for (int i = 0; i < depth; i++) sb.append(arrays ? "]" : "}");
    return sb.toString();
  }

  static int deepDepth(Random rnd) {
    return List.of(64, 500, 999, 1000, 1001, 2000, 5000, 10_000).get(rnd.nextInt(8));
  }

  /** A hostile JSON value of any type, as raw text. */
  static String anyValue(Random rnd) {
    return switch (rnd.nextInt(12)) {
      case 0 -> jsonString(pick(rnd, STRINGS));
      case 1 -> pick(rnd, NUMBERS);
      case 2 -> rnd.nextBoolean() ? "true" : "false";
      case 3 -> "null";
      case 4 -> array(rnd);
      case 5 -> object(rnd);
      case 6 -> jsonString(pick(rnd, EXTREME_DATES));
      case 7 -> jsonString(pick(rnd, MONEY));
      case 8 -> jsonString("a".repeat(pick(rnd, LONG_STRING_LENGTHS)));
      case 9 -> jsonString(pick(rnd, NUMBERS));
      case 10 -> deep(rnd, List.of(3, 64, 1001).get(rnd.nextInt(3)));
      default -> pick(rnd, NUMBERS);
    };
  }

  /** A value of a different JSON type than {@code current} ("string", "number", "boolean", "null", "array", "object"). */
  static String otherType(Random rnd, String current) {
    List<String> types = new java.util.ArrayList<>(List.of("string", "number", "boolean", "null", "array", "object"));
    types.remove(current);
    String t = types.get(rnd.nextInt(types.size()));
    return switch (t) {
      case "string" -> rnd.nextBoolean() ? jsonString(pick(rnd, STRINGS)) : jsonString(pick(rnd, NUMBERS));
      case "number" -> pick(rnd, NUMBERS);
      case "boolean" -> rnd.nextBoolean() ? "true" : "false";
      case "null" -> "null";
      case "array" -> array(rnd);
      default -> object(rnd);
    };
  }

  static String array(Random rnd) {
    return switch (rnd.nextInt(8)) {
      case 0 -> "[]";
      case 1 -> "[null]";
      case 2 -> "[1,\"a\",true,null,{},[]]";
      case 3 -> "[[[]]]";
      case 4 -> "[\"hx-model-x\"]";
      case 5 -> repeatArray("1", 1000);
      case 6 -> repeatArray("{\"role\":\"user\",\"content\":\"x\"}", 200);
      default -> "[" + jsonString(pick(rnd, STRINGS)) + "]";
    };
  }

  static String object(Random rnd) {
    return switch (rnd.nextInt(7)) {
      case 0 -> "{}";
      case 1 -> "{\"\":\"\"}";
      case 2 -> "{\"a\":{\"b\":{\"c\":{}}}}";
      case 3 -> "{\"__proto__\":{\"admin\":true},\"constructor\":{\"prototype\":{}}}";
      case 4 -> manyKeys(1000);
      case 5 -> "{\"type\":\"text\",\"text\":" + pick(rnd, NUMBERS) + "}";
      default -> "{\"x\":" + pick(rnd, NUMBERS) + "}";
    };
  }

  static String repeatArray(String element, int n) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < n; i++) {
      if (i > 0) sb.append(',');
      sb.append(element);
    }
    return sb.append(']').toString();
  }

  static String manyKeys(int n) {
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < n; i++) {
      if (i > 0) sb.append(',');
      sb.append("\"k").append(i).append("\":").append(i);
    }
    return sb.append('}').toString();
  }

  /** Byte sequences that are not UTF-8. */
  static final List<byte[]> BAD_UTF8 = List.of(
      bytes(0xC3, 0x28), bytes(0xA0, 0xA1), bytes(0xE2, 0x28, 0xA1), bytes(0xE2, 0x82, 0x28),
      bytes(0xF0, 0x28, 0x8C, 0xBC), bytes(0xF0, 0x90, 0x28, 0xBC), bytes(0xF8, 0xA1, 0xA1, 0xA1, 0xA1),
      bytes(0xFC, 0xA1, 0xA1, 0xA1, 0xA1, 0xA1), bytes(0xC0, 0xAF), bytes(0xE0, 0x80, 0xAF), bytes(0xED, 0xA0, 0x80),
      bytes(0xED, 0xBF, 0xBF), bytes(0xFF), bytes(0xFE), bytes(0x80), bytes(0xC3), bytes(0xF4, 0x90, 0x80, 0x80),
      bytes(0xF0, 0x9F, 0x98), bytes(0xC1, 0xBF), bytes(0xEF, 0xBF));

  static byte[] bytes(int... v) {
    byte[] b = new byte[v.length];
    for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
    return b;
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) out.writeBytes(p);
    return out.toByteArray();
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Bodies that are not a JSON object (or not JSON, or JSON plus garbage). */
  static byte[] notAnObject(Random rnd) {
    return switch (rnd.nextInt(26)) {
      case 0 -> utf8("[]");
      case 1 -> utf8("[{}]");
      case 2 -> utf8("\"x\"");
      case 3 -> utf8("1");
      case 4 -> utf8("-0");
      case 5 -> utf8("null");
      case 6 -> utf8("true");
      case 7 -> utf8(" ");
      case 8 -> utf8("\n\t\r ");
      case 9 -> utf8("{}");
      case 10 -> utf8("{} {}");
      case 11 -> utf8("{}garbage");
      case 12 -> utf8("{\"a\":1}}");
      case 13 -> utf8("{\"a\":");
      case 14 -> utf8("{'model':'x'}");
      case 15 -> utf8("{model:\"x\"}");
      case 16 -> utf8("/* c */ {}");
      case 17 -> utf8("{\"a\":1,}");
      case 18 -> bytes(0);
      case 19 -> concat(bytes(0xEF, 0xBB, 0xBF), utf8("{\"model\":\"gpt-4o-mini\"}"));
      case 20 -> concat(bytes(0xFE, 0xFF), "{\"a\":1}".getBytes(StandardCharsets.UTF_16BE));
      case 21 -> utf8("1e309");
      case 22 -> utf8("NaN");
      case 23 -> utf8("{\"a\":1}\u0000");
      case 24 -> utf8("{\"\\u0000\":1}");
      default -> {
        byte[] b = new byte[1 + rnd.nextInt(64)];
        rnd.nextBytes(b);
        yield b;
      }
    };
  }
}
