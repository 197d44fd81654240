package com.lijiaoqiao.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.lijiaoqiao.billing.Money;

/** Adds the charged amount as {@code usage.cost} to the final usage chunk of a stream, as OpenRouter does. */
final class UsageCost {
  private static final ObjectMapper JSON = new ObjectMapper();

  private UsageCost() {}

  /** For a body the gateway wrote itself (a translation): the charge goes first into its last usage object. */
  static byte[] intoLastUsage(byte[] body, long costMicros) {
    return intoLast(body, "\"usage\":{", costMicros);
  }

  /** As {@link #intoLastUsage}, for Gemini's {@code usageMetadata}. */
  static byte[] intoLastUsageMetadata(byte[] body, long costMicros) {
    return intoLast(body, "\"usageMetadata\":{", costMicros);
  }

  private static byte[] intoLast(byte[] body, String key, long costMicros) {
    String text = new String(body, java.nio.charset.StandardCharsets.UTF_8);
    int at = text.lastIndexOf(key);
    if (at < 0) return body;
    int brace = at + key.length();
    boolean empty = brace < text.length() && text.charAt(brace) == '}';
    return (text.substring(0, brace) + "\"cost\":" + Money.toDecimal(costMicros).toPlainString() + (empty ? "" : ",")
        + text.substring(brace)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  static String withCost(String chunk, long costMicros) {
    try {
      JsonNode root = JSON.readTree(chunk);
      if (root instanceof ObjectNode o && o.get("usage") instanceof ObjectNode usage) {
        usage.put("cost", Money.toDecimal(costMicros));
        return JSON.writeValueAsString(o);
      }
    } catch (Exception ignored) {
      // the chunk was scanned as valid JSON already; relay it unchanged if it cannot be edited
    }
    return chunk;
  }
}
