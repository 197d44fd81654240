package com.lijiaoqiao.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.lijiaoqiao.http.ErrorCode;
import com.lijiaoqiao.http.GatewayException;
import java.util.Map;

/** Shared Jackson plumbing of the dialect translations: trees, field reads, and 400s that name the field. */
public final class Json {
  public static final ObjectMapper MAPPER = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
  public static final JsonNodeFactory F = JsonNodeFactory.instance;

  private Json() {}

  public static ObjectNode obj() {
    return F.objectNode();
  }

  public static byte[] bytes(JsonNode n) {
    try {
      return MAPPER.writeValueAsBytes(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String string(JsonNode n) {
    try {
      return MAPPER.writeValueAsString(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A request body as a JSON object; every problem (empty, not UTF-8, not JSON, not an object) is a 400 that says
   * what is wrong and where.
   */
  public static ObjectNode parseBody(byte[] bytes) {
    if (bytes.length == 0) throw bad("The request body is empty; send a JSON object.");
    JsonNode root;
    try {
      root = MAPPER.readTree(bytes);
    } catch (JsonProcessingException e) {
      var loc = e.getLocation();
      String why = e.getOriginalMessage();
      if (why != null && why.contains("UTF-8")) throw bad("The request body is not valid UTF-8.");
      int nl = why == null ? -1 : why.indexOf('\n');
      String first = why == null ? "syntax error" : why.substring(0, Math.min(nl >= 0 ? nl : why.length(), 200));
      throw bad("The request body is not valid JSON"
          + (loc != null ? " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")" : "") + ": " + first);
    } catch (java.io.IOException e) {
      throw bad("The request body could not be read as JSON.");
    }
    if (root == null || root.isMissingNode()) throw bad("The request body is empty; send a JSON object.");
    if (!root.isObject()) throw bad("The request body must be a JSON object, not " + kind(root) + ".");
    return (ObjectNode) root;
  }

  /** Parses bytes into a tree, or null when they are not JSON. */
  public static JsonNode tryParse(byte[] b, int off, int len) {
    try {
      return MAPPER.readTree(b, off, len);
    } catch (Exception e) {
      return null;
    }
  }

  public static JsonNode tryParse(String s) {
    try {
      return MAPPER.readTree(s);
    } catch (Exception e) {
      return null;
    }
  }

  public static String text(JsonNode n, String field) {
    JsonNode v = n == null ? null : n.get(field);
    return v != null && v.isTextual() ? v.asText() : null;
  }

  public static long num(JsonNode n, String field) {
    JsonNode v = n == null ? null : n.get(field);
    return v != null && v.isNumber() ? v.asLong() : 0;
  }

  public static boolean present(JsonNode n) {
    return n != null && !n.isNull() && !n.isMissingNode();
  }

  public static String kind(JsonNode n) {
    if (n == null || n.isNull()) return "null";
    if (n.isArray()) return "an array";
    if (n.isObject()) return "an object";
    if (n.isTextual()) return "a string";
    if (n.isNumber()) return "a number";
    if (n.isBoolean()) return "a boolean";
    return "a " + n.getNodeType().name().toLowerCase();
  }

  public static GatewayException bad(String message) {
    return GatewayException.badRequest(message);
  }

  /** A 400 for a feature the other dialect cannot express: names the field, says why. */
  public static GatewayException unsupported(String field, String why) {
    return new GatewayException(com.lijiaoqiao.http.ErrorCode.COMMON_001,
        "'" + field + "' is not supported " + why + ".", "字段 '" + field + "' 不受支持（" + why + "）。",
        java.util.Map.of("param", field), null);
  }
  /** 400 COMMON_001 naming the field (details.param, as OpenAI's own errors do). */
  public static GatewayException bad(String field, String message) {
    return new GatewayException(ErrorCode.COMMON_001, message, "字段 '" + field + "' 无效。",
        Map.of("param", field), null);
  }

  /** A string field: absent is fine (null); otherwise a string of at most {@code max} characters. */
  public static String optString(JsonNode body, String field, String path, int max) {
    JsonNode v = body.get(field);
    if (!present(v)) return null;
    if (!v.isTextual()) throw bad(path, "'" + path + "' must be a string, not " + kind(v) + ".");
    if (v.asText().length() > max) throw bad(path, "'" + path + "' is longer than " + max + " characters.");
    return v.asText();
  }

  public static String reqString(JsonNode body, String field, String path, int max) {
    String s = optString(body, field, path, max);
    if (s == null) throw bad(path, "'" + path + "' is required and must be a string.");
    return s;
  }

  public static Boolean optBool(JsonNode body, String field) {
    JsonNode v = body.get(field);
    if (!present(v)) return null;
    if (!v.isBoolean()) throw bad(field, "'" + field + "' must be a boolean, not " + kind(v) + ".");
    return v.asBoolean();
  }

  public static Double optNumber(JsonNode body, String field, double min, double max) {
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
