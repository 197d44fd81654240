package com.lijiaoqiao.protocol.responses;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.lijiaoqiao.http.ErrorCode;
import com.lijiaoqiao.http.GatewayException;
import java.util.Map;

/** Jackson plumbing and the 400s of the Responses package. */
final class RJson {
  static final ObjectMapper MAPPER = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
  static final JsonNodeFactory F = JsonNodeFactory.instance;

  private RJson() {}

  static ObjectNode obj() {
    return F.objectNode();
  }

  static String string(JsonNode n) {
    try {
      return MAPPER.writeValueAsString(n);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static JsonNode tryParse(String s) {
    try {
      return MAPPER.readTree(s);
    } catch (Exception e) {
      return null;
    }
  }

  static String text(JsonNode n, String field) {
    JsonNode v = n == null ? null : n.get(field);
    return v != null && v.isTextual() ? v.asText() : null;
  }

  static boolean present(JsonNode n) {
    return n != null && !n.isNull() && !n.isMissingNode();
  }

  static String kind(JsonNode n) {
    if (n == null || n.isNull()) return "null";
    if (n.isArray()) return "an array";
    if (n.isObject()) return "an object";
    if (n.isTextual()) return "a string";
    if (n.isNumber()) return "a number";
    if (n.isBoolean()) return "a boolean";
    return "a " + n.getNodeType().name().toLowerCase();
  }

  /** 400 COMMON_001 naming the field (details.param, as OpenAI's own errors do). */
  static GatewayException bad(String field, String message) {
    return new GatewayException(ErrorCode.COMMON_001, message, "字段 '" + field + "' 无效。",
        Map.of("param", field), null);
  }

  /** A string field: absent is fine (null); otherwise a string of at most {@code max} characters. */
  static String optString(JsonNode body, String field, String path, int max) {
    JsonNode v = body.get(field);
    if (!present(v)) return null;
    if (!v.isTextual()) throw bad(path, "'" + path + "' must be a string, not " + kind(v) + ".");
    if (v.asText().length() > max) throw bad(path, "'" + path + "' is longer than " + max + " characters.");
    return v.asText();
  }

  static String reqString(JsonNode body, String field, String path, int max) {
    String s = optString(body, field, path, max);
    if (s == null) throw bad(path, "'" + path + "' is required and must be a string.");
    return s;
  }

  static Boolean optBool(JsonNode body, String field) {
    JsonNode v = body.get(field);
    if (!present(v)) return null;
    if (!v.isBoolean()) throw bad(field, "'" + field + "' must be a boolean, not " + kind(v) + ".");
    return v.asBoolean();
  }

  static Double optNumber(JsonNode body, String field, double min, double max) {
    JsonNode v = body.get(field);
    if (!present(v)) return null;
    if (!v.isNumber() || v.asDouble() < min || v.asDouble() > max) {
      throw bad(field, "'" + field + "' must be a number from " + fmt(min) + " to " + fmt(max) + ".");
    }
    return v.asDouble();
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }
}
