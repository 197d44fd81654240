package com.lijiaoqiao.protocol.responses;

import com.lijiaoqiao.protocol.Json;
import static com.lijiaoqiao.protocol.Json.bad;
import static com.lijiaoqiao.protocol.Json.present;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Tools and tool_choice. Function tools map to chat's {@code {type: function, function: {…}}}; tool types only
 * OpenAI's own server can run (web_search, file_search, computer_use, code_interpreter, mcp, local_shell …) have no
 * chat equivalent and are dropped, each named in x-ljq-dropped as {@code tools.<type>}.
 */
final class ResponsesTools {
  static final int MAX_TOOLS = 512;
  /** Header-safe tool type names; anything else is named {@code tools.other}. */
  private static final Pattern SAFE = Pattern.compile("[a-z0-9_]{1,64}");

  private ResponsesTools() {}

  static void validate(JsonNode body) {
    JsonNode tools = body.get("tools");
    if (present(tools)) {
      if (!tools.isArray()) throw bad("tools", "'tools' must be an array.");
      if (tools.size() > MAX_TOOLS) throw bad("tools", "'tools' has more than " + MAX_TOOLS + " entries.");
      for (int i = 0; i < tools.size(); i++) {
        JsonNode t = tools.get(i);
        String at = "tools[" + i + "]";
        if (!t.isObject()) throw bad(at, "'" + at + "' must be an object.");
        String type = Json.reqString(t, "type", at + ".type", 64);
        if (!type.equals("function")) continue;
        Json.reqString(t, "name", at + ".name", 128);
        if (t.get("name").asText().isEmpty()) throw bad(at + ".name", "'" + at + ".name' must not be empty.");
        Json.optString(t, "description", at + ".description", 100_000);
        JsonNode params = t.get("parameters");
        if (present(params) && !params.isObject()) throw bad(at + ".parameters", "'" + at + ".parameters' must be an object.");
        JsonNode strict = t.get("strict");
        if (present(strict) && !strict.isBoolean()) throw bad(at + ".strict", "'" + at + ".strict' must be a boolean.");
      }
    }
    JsonNode tc = body.get("tool_choice");
    if (!present(tc)) return;
    if (tc.isTextual()) {
      if (!Set.of("auto", "none", "required").contains(tc.asText())) {
        throw bad("tool_choice", "'tool_choice' must be auto, none, required or an object.");
      }
    } else if (tc.isObject()) {
      String type = Json.reqString(tc, "type", "tool_choice.type", 64);
      if (type.equals("function")) Json.reqString(tc, "name", "tool_choice.name", 128);
    } else {
      throw bad("tool_choice", "'tool_choice' must be a string or an object.");
    }
  }

  static void toChat(JsonNode body, ObjectNode chat, Set<String> dropped) {
    JsonNode tools = body.get("tools");
    ArrayNode out = Json.F.arrayNode();
    if (present(tools)) {
      for (JsonNode t : tools) {
        String type = t.get("type").asText();
        if (!type.equals("function")) {
          dropped.add("tools." + (SAFE.matcher(type).matches() ? type : "other"));
          continue;
        }
        ObjectNode fn = out.addObject().put("type", "function").putObject("function");
        fn.put("name", t.get("name").asText());
        if (t.hasNonNull("description")) fn.put("description", t.get("description").asText());
        if (t.hasNonNull("parameters")) fn.set("parameters", t.get("parameters"));
        if (t.hasNonNull("strict")) fn.put("strict", t.get("strict").asBoolean());
      }
    }
    JsonNode tc = body.get("tool_choice");
    if (out.isEmpty()) {
      // No tool left for the upstream: a choice among tools (or parallel calls) means nothing to it.
      if (present(tc) && !"none".equals(tc.asText()) && !"auto".equals(tc.asText())) dropped.add("tool_choice");
      return;
    }
    chat.set("tools", out);
    if (present(tc)) {
      if (tc.isTextual()) {
        chat.put("tool_choice", tc.asText());
      } else if ("function".equals(Json.text(tc, "type"))) {
        chat.putObject("tool_choice").put("type", "function").putObject("function").put("name", tc.get("name").asText());
      } else {
        dropped.add("tool_choice"); // a hosted tool's choice: its tool was dropped above
      }
    }
    JsonNode parallel = body.get("parallel_tool_calls");
    if (present(parallel)) chat.put("parallel_tool_calls", parallel.asBoolean());
  }

  /** The function tools as sent, for the response object's {@code tools}. */
  static ArrayNode functionTools(JsonNode body) {
    ArrayNode out = Json.F.arrayNode();
    JsonNode tools = body.get("tools");
    if (present(tools)) {
      for (JsonNode t : tools) {
        if (!"function".equals(Json.text(t, "type"))) continue;
        ObjectNode o = out.addObject().put("type", "function").put("name", t.get("name").asText());
        o.set("description", t.hasNonNull("description") ? t.get("description") : Json.F.nullNode());
        o.set("parameters", t.hasNonNull("parameters") ? t.get("parameters") : Json.obj());
        o.put("strict", t.path("strict").asBoolean(true));
      }
    }
    return out;
  }
}
