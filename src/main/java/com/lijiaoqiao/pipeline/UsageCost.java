package com.lijiaoqiao.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.lijiaoqiao.billing.Money;

/** Adds the charged amount as {@code usage.cost} to the final usage chunk of a stream, as OpenRouter does. */
final class UsageCost {
  private static final ObjectMapper JSON = new ObjectMapper();

  private UsageCost() {}

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
