package com.lijiaoqiao.simulator;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Deterministic tool calls built from JSON-schema tool definitions. */
final class Tools {
  record Tool(String name, JsonNode schema) {}

  record Call(String id, String name, String arguments) {}

  private Tools() {}

  /**
   * @param forced tool name forced by tool_choice, or null
   * @param count number of calls (parallel calls cycle through the tools)
   */
  static List<Call> calls(List<Tool> tools, String forced, int count, long seed, String lastUser, String idPrefix) {
    List<Call> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      Tool t = null;
      if (forced != null) {
        for (Tool x : tools) {
          if (x.name().equals(forced)) {
            t = x;
          }
        }
        if (t == null) {
          t = new Tool(forced, null);
        }
      } else {
        t = tools.get(i % tools.size());
      }
      Tool tool = t;
      long s = TextGen.mix(seed + 31L * i + 7);
      String word = TextGen.promptWord(lastUser, s);
      String args = JsonOut.string(g -> value(g, tool.schema(), word, 0, true));
      out.add(new Call(idPrefix + id(s, 24), tool.name(), args));
    }
    return out;
  }

  /** A JSON value for a response schema (structured output), built like tool arguments. */
  static String json(JsonNode schema, long seed, String lastUser) {
    String word = TextGen.promptWord(lastUser, TextGen.mix(seed + 7));
    return JsonOut.string(g -> value(g, schema, word, 0, true));
  }

  /** A JSON value of {@code schema} (an object at the top), strings taken from the prompt as tool arguments are. */
  static String json(JsonNode schema, String lastUser) {
    String word = TextGen.promptWord(lastUser, 0);
    return JsonOut.string(g -> value(g, schema, word, 0, true));
  }

  private static final char[] ALPHA = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

  static String id(long seed, int len) {
    char[] c = new char[len];
    long x = seed;
    for (int i = 0; i < len; i++) {
      if ((i & 7) == 0) {
        x = TextGen.mix(x + i + 1);
      }
      c[i] = ALPHA[(int) Long.remainderUnsigned(x, ALPHA.length)];
      x = Long.divideUnsigned(x, ALPHA.length) ^ (x << 7);
    }
    return new String(c);
  }

  private static void value(JsonGenerator g, JsonNode schema, String word, int depth, boolean top) throws IOException {
    if (schema == null || !schema.isObject()) {
      if (top) {
        g.writeStartObject();
        g.writeEndObject();
      } else {
        g.writeString(word);
      }
      return;
    }
    JsonNode en = schema.get("enum");
    if (en != null && en.isArray() && !en.isEmpty()) {
      g.writeTree(en.get(0));
      return;
    }
    JsonNode c = schema.get("const");
    if (c != null) {
      g.writeTree(c);
      return;
    }
    String type = typeOf(schema);
    if (type == null) {
      type = schema.has("properties") || top ? "object" : "string";
    }
    switch (type) {
      case "object" -> {
        g.writeStartObject();
        JsonNode props = schema.get("properties");
        // With a `required` list only those are filled, as a model does: optional knobs of real tools (a
        // shell's timeout or working directory) filled with made-up values would break the call.
        JsonNode required = schema.get("required");
        boolean onlyRequired = required != null && required.isArray();
        if (props != null && props.isObject() && depth < 6) {
          Iterator<Map.Entry<String, JsonNode>> it = props.fields();
          while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (onlyRequired && !contains(required, e.getKey())) {
              continue;
            }
            g.writeFieldName(e.getKey());
            value(g, e.getValue(), word, depth + 1, false);
          }
        }
        g.writeEndObject();
      }
      case "array" -> {
        g.writeStartArray();
        if (depth < 6) {
          value(g, schema.get("items"), word, depth + 1, false);
        }
        g.writeEndArray();
      }
      case "integer", "number" -> g.writeNumber(42);
      case "boolean" -> g.writeBoolean(true);
      case "null" -> g.writeNull();
      default -> g.writeString(word);
    }
  }

  private static boolean contains(JsonNode array, String s) {
    for (JsonNode x : array) {
      if (s.equals(x.asText())) {
        return true;
      }
    }
    return false;
  }

  private static String typeOf(JsonNode schema) {
    JsonNode t = schema.get("type");
    if (t == null) {
      JsonNode any = schema.has("anyOf") ? schema.get("anyOf") : schema.get("oneOf");
      if (any != null && any.isArray() && !any.isEmpty()) {
        return typeOf(any.get(0));
      }
      return null;
    }
    if (t.isTextual()) {
      return t.asText().toLowerCase(java.util.Locale.ROOT); // Gemini's OpenAPI schemas say "OBJECT", "STRING"
    }
    if (t.isArray()) {
      for (JsonNode x : t) {
        if (!"null".equalsIgnoreCase(x.asText())) {
          return x.asText().toLowerCase(java.util.Locale.ROOT);
        }
      }
    }
    return null;
  }

  /** Splits tool-call arguments into fragments for streaming (several deltas). */
  static List<String> fragments(String args, int chunks) {
    int n = chunks > 0 ? chunks : Math.max(2, Math.min(8, args.length() / 8));
    return TextGen.splitChars(args, n);
  }
}
