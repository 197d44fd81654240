package com.lijiaoqiao.protocol.responses;

import com.lijiaoqiao.protocol.Json;
import static com.lijiaoqiao.protocol.Json.bad;
import static com.lijiaoqiao.protocol.Json.kind;
import static com.lijiaoqiao.protocol.Json.present;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * Input items: validated once when the request arrives, turned into chat messages when a chat upstream is
 * called. Messages keep their roles (developer → system, which every chat vendor knows); function_call items join
 * the assistant turn before them as tool_calls; function_call_output items become tool messages; reasoning items
 * are not sent (chat upstreams take no reasoning input).
 */
final class ResponsesItems {
  private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant");
  private static final int MAX_PARTS = 1_000;

  private ResponsesItems() {}

  static List<JsonNode> parseInput(JsonNode input) {
    if (!present(input)) return List.of();
    if (input.isTextual()) {
      ObjectNode m = Json.obj().put("type", "message").put("role", "user");
      m.putArray("content").addObject().put("type", "input_text").put("text", input.asText());
      return List.of(m);
    }
    if (!input.isArray()) throw bad("input", "'input' must be a string or an array of items, not " + kind(input) + ".");
    if (input.size() > ResponsesRequest.MAX_INPUT_ITEMS) {
      throw bad("input", "'input' has more than " + ResponsesRequest.MAX_INPUT_ITEMS + " items.");
    }
    List<JsonNode> items = new ArrayList<>(input.size());
    for (int i = 0; i < input.size(); i++) {
      items.add(validate(input.get(i), "input[" + i + "]"));
    }
    return Collections.unmodifiableList(items);
  }

  private static JsonNode validate(JsonNode item, String at) {
    if (!item.isObject()) throw bad(at, "'" + at + "' must be an object, not " + kind(item) + ".");
    String type = Json.optString(item, "type", at + ".type", 64);
    if (type == null || type.equals("message")) {
      String role = Json.reqString(item, "role", at + ".role", 16);
      if (!ROLES.contains(role)) throw bad(at + ".role", "'" + at + ".role' must be system, developer, user or assistant.");
      JsonNode content = item.get("content");
      if (content == null || !(content.isTextual() || content.isArray())) {
        throw bad(at + ".content", "'" + at + ".content' must be a string or an array of content parts.");
      }
      if (content.isArray()) {
        if (content.size() > MAX_PARTS) throw bad(at + ".content", "'" + at + ".content' has more than " + MAX_PARTS + " parts.");
        for (int j = 0; j < content.size(); j++) part(content.get(j), at + ".content[" + j + "]");
      }
      return item;
    }
    switch (type) {
      case "function_call" -> {
        Json.reqString(item, "call_id", at + ".call_id", 256);
        Json.reqString(item, "name", at + ".name", 128);
        Json.reqString(item, "arguments", at + ".arguments", Integer.MAX_VALUE);
      }
      case "function_call_output" -> {
        Json.reqString(item, "call_id", at + ".call_id", 256);
        JsonNode out = item.get("output");
        if (out == null || !(out.isTextual() || out.isArray())) {
          throw bad(at + ".output", "'" + at + ".output' must be a string or an array of input_text parts.");
        }
        if (out.isArray()) {
          for (int j = 0; j < out.size(); j++) {
            String pat = at + ".output[" + j + "]";
            if (!"input_text".equals(Json.text(out.get(j), "type"))) {
              throw bad(pat + ".type", "'" + pat + ".type' must be input_text (a chat upstream takes text results only).");
            }
            Json.reqString(out.get(j), "text", pat + ".text", Integer.MAX_VALUE);
          }
        }
      }
      case "reasoning" -> { } // passed back by agents; not sent to chat upstreams (see toMessages)
      // A stored output item by id (the AI SDK sends earlier answers so with store: true): resolved against the
      // tenant's stored responses before the turn is built (ResponsesRequest.resolveItemReferences).
      case "item_reference" -> Json.reqString(item, "id", at + ".id", ResponsesRequest.MAX_ID_CHARS);
      default -> throw bad(at + ".type", "'" + at + ".type' " + ResponsesRequest.clip(type) + " is not supported by"
          + " the gateway (messages, function_call, function_call_output, reasoning and item_reference are).");
    }
    return item;
  }

  private static void part(JsonNode p, String at) {
    if (!p.isObject()) throw bad(at, "'" + at + "' must be an object, not " + kind(p) + ".");
    String type = Json.reqString(p, "type", at + ".type", 64);
    switch (type) {
      case "input_text", "output_text" -> Json.reqString(p, "text", at + ".text", Integer.MAX_VALUE);
      case "refusal" -> Json.reqString(p, "refusal", at + ".refusal", Integer.MAX_VALUE);
      case "input_image" -> {
        String url = Json.optString(p, "image_url", at + ".image_url", Integer.MAX_VALUE);
        if (url == null) {
          throw bad(at + ".image_url", "'" + at + ".image_url' is required (file ids are not supported by the gateway).");
        }
        String detail = Json.optString(p, "detail", at + ".detail", 8);
        if (detail != null && !Set.of("auto", "low", "high").contains(detail)) {
          throw bad(at + ".detail", "'" + at + ".detail' must be auto, low or high.");
        }
      }
      default -> throw bad(at + ".type", "'" + at + ".type' " + ResponsesRequest.clip(type)
          + " is not supported (input_text, input_image with image_url, output_text and refusal are).");
    }
  }

  /** Appends the chat messages for these (validated) items. */
  static void toMessages(List<JsonNode> items, ArrayNode messages, java.util.Set<String> dropped) {
    for (JsonNode item : items) {
      String type = Json.text(item, "type");
      if (type == null || type.equals("message")) {
        message(item, messages);
      } else if (type.equals("function_call")) {
        ObjectNode last = messages.isEmpty() ? null : (ObjectNode) messages.get(messages.size() - 1);
        ObjectNode turn;
        if (last != null && "assistant".equals(Json.text(last, "role"))) {
          turn = last;
        } else {
          turn = messages.addObject().put("role", "assistant");
          turn.putNull("content");
        }
        ArrayNode calls = turn.get("tool_calls") instanceof ArrayNode a ? a : turn.putArray("tool_calls");
        ObjectNode call = calls.addObject().put("id", item.get("call_id").asText()).put("type", "function");
        call.putObject("function").put("name", item.get("name").asText()).put("arguments", item.get("arguments").asText());
      } else if (type.equals("function_call_output")) {
        JsonNode out = item.get("output");
        String text;
        if (out.isTextual()) {
          text = out.asText();
        } else {
          StringBuilder sb = new StringBuilder();
          for (JsonNode p : out) sb.append(p.get("text").asText());
          text = sb.toString();
        }
        messages.addObject().put("role", "tool").put("tool_call_id", item.get("call_id").asText()).put("content", text);
      } else if (type.equals("reasoning")) {
        dropped.add("input.reasoning");
      } else if (type.equals("item_reference")) {
        throw new IllegalStateException("item_reference not resolved before the chat view was built");
      }
    }
  }

  private static void message(JsonNode item, ArrayNode messages) {
    String role = item.get("role").asText();
    if (role.equals("developer")) role = "system";
    JsonNode content = item.get("content");
    if (content.isTextual()) {
      messages.addObject().put("role", role).put("content", content.asText());
      return;
    }
    boolean textOnly = true;
    for (JsonNode p : content) textOnly &= !"input_image".equals(p.get("type").asText());
    if (textOnly || !role.equals("user")) {
      // Text (and an assistant's refusal) joins into one string: every chat vendor takes that.
      StringBuilder sb = new StringBuilder();
      for (JsonNode p : content) {
        String t = p.has("text") ? p.get("text").asText() : Json.text(p, "refusal");
        if (t != null) sb.append(t);
      }
      messages.addObject().put("role", role).put("content", sb.toString());
      return;
    }
    ArrayNode parts = messages.addObject().put("role", role).putArray("content");
    for (JsonNode p : content) {
      if ("input_image".equals(p.get("type").asText())) {
        ObjectNode img = parts.addObject().put("type", "image_url").putObject("image_url");
        img.put("url", p.get("image_url").asText());
        if (p.hasNonNull("detail")) img.put("detail", p.get("detail").asText());
      } else {
        parts.addObject().put("type", "text").put("text", p.get("text").asText());
      }
    }
  }
}
