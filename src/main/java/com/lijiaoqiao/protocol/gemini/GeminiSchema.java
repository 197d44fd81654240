package com.lijiaoqiao.protocol.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.lijiaoqiao.protocol.Json;

/**
 * Gemini's {@code Schema} (an OpenAPI 3.0 subset: upper-case types, {@code nullable}, {@code propertyOrdering}) →
 * JSON Schema, which the hub and every other vendor read. Gemini upstreams are sent JSON Schema as it is
 * ({@code parametersJsonSchema}, {@code responseJsonSchema}), so no conversion back is needed.
 */
final class GeminiSchema {
  private static final int MAX_DEPTH = 64;

  private GeminiSchema() {}

  static JsonNode toJsonSchema(JsonNode s) {
    return convert(s, 0);
  }

  private static JsonNode convert(JsonNode s, int depth) {
    if (depth > MAX_DEPTH) throw Json.bad("schema", "A schema is nested more than " + MAX_DEPTH + " levels deep.");
    if (s.isArray()) {
      ArrayNode out = Json.F.arrayNode();
      for (JsonNode x : s) out.add(convert(x, depth + 1));
      return out;
    }
    if (!s.isObject()) return s.deepCopy();
    ObjectNode out = Json.obj();
    boolean nullable = s.path("nullable").asBoolean(false);
    for (var it = s.fields(); it.hasNext(); ) {
      var e = it.next();
      String f = e.getKey();
      JsonNode v = e.getValue();
      switch (f) {
        case "nullable", "propertyOrdering", "property_ordering" -> { }
        case "type" -> {
          String t = v.isTextual() ? v.asText().toLowerCase(java.util.Locale.ROOT) : null;
          if (t == null || t.equals("type_unspecified")) continue;
          if (nullable) out.putArray("type").add(t).add("null");
          else out.put("type", t);
        }
        case "properties" -> {
          ObjectNode props = out.putObject("properties");
          for (var p = v.fields(); p.hasNext(); ) {
            var pe = p.next();
            props.set(pe.getKey(), convert(pe.getValue(), depth + 1));
          }
        }
        case "items", "anyOf", "any_of" -> out.set(f.equals("any_of") ? "anyOf" : f, convert(v, depth + 1));
        case "minItems", "maxItems", "minLength", "maxLength", "minProperties", "maxProperties" -> {
          // Gemini sends int64 as strings
          out.set(f, v.isTextual() && v.asText().matches("\\d{1,18}") ? Json.F.numberNode(Long.parseLong(v.asText())) : v);
        }
        default -> out.set(f, v.deepCopy());
      }
    }
    return out;
  }
}
