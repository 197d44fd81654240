package com.lijiaoqiao.protocol.anthropic;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.lijiaoqiao.http.GatewayException;

/** Shared Jackson plumbing of the translation package. */
final class Json {
  static final ObjectMapper MAPPER = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
  static final JsonNodeFactory F = JsonNodeFactory.instance;

  private Json() {}

  static ObjectNode obj() {
    return F.objectNode();
  }

  static byte[] bytes(JsonNode n) {
    try {
      return MAPPER.writeValueAsBytes(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static String string(JsonNode n) {
    try {
      return MAPPER.writeValueAsString(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Parses bytes into a tree, or null when they are not JSON. */
  static JsonNode tryParse(byte[] b, int off, int len) {
    try {
      return MAPPER.readTree(b, off, len);
    } catch (Exception e) {
      return null;
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

  static long num(JsonNode n, String field) {
    JsonNode v = n == null ? null : n.get(field);
    return v != null && v.isNumber() ? v.asLong() : 0;
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

  static GatewayException bad(String message) {
    return GatewayException.badRequest(message);
  }

  /** A 400 for a feature the other dialect cannot express: names the field, says why. */
  static GatewayException unsupported(String field, String why) {
    return new GatewayException(com.lijiaoqiao.http.ErrorCode.COMMON_001,
        "'" + field + "' is not supported " + why + ".", "字段 '" + field + "' 不受支持（" + why + "）。",
        java.util.Map.of("param", field), null);
  }
}
