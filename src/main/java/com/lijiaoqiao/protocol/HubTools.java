package com.lijiaoqiao.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The hub request's {@code tools} and {@code tool_choice}, read and checked once for every encoder of another
 * dialect (Anthropic's tools, Gemini's functionDeclarations): only function tools, each with a name.
 */
public final class HubTools {
  private HubTools() {}

  /** One function tool: its name, description (or null) and parameter schema (an object, or null). */
  public record Function(String name, String description, JsonNode parameters) {}

  public enum Kind { AUTO, REQUIRED, NONE, FUNCTION }

  /** A tool choice; {@code name} is the function's for {@link Kind#FUNCTION}, else null. */
  public record Choice(Kind kind, String name) {}

  /**
   * @param why the clause the refusal ends with ("when the model is served by …")
   * @return the function tools, empty when there are none
   */
  public static List<Function> functions(JsonNode tools, String why) {
    List<Function> out = new ArrayList<>();
    if (!Json.present(tools)) return out;
    if (!tools.isArray()) throw Json.bad("'tools' must be an array.");
    for (int i = 0; i < tools.size(); i++) {
      JsonNode t = tools.get(i);
      if (!"function".equals(Json.text(t, "type")) || !t.path("function").isObject()) {
        throw Json.unsupported("tools[" + i + "].type", why + " (only function tools)");
      }
      JsonNode fn = t.get("function");
      String name = Json.text(fn, "name");
      if (name == null) throw Json.bad("'tools[" + i + "].function.name' must be a string.");
      JsonNode params = fn.get("parameters");
      out.add(new Function(name, Json.text(fn, "description"),
          Json.present(params) && params.isObject() ? params : null));
    }
    return out;
  }

  /** The request's tool choice, or null when it sets none. */
  public static Choice choice(JsonNode tc) {
    if (!Json.present(tc)) return null;
    if (tc.isTextual()) {
      return switch (tc.asText()) {
        case "auto" -> new Choice(Kind.AUTO, null);
        case "required" -> new Choice(Kind.REQUIRED, null);
        case "none" -> new Choice(Kind.NONE, null);
        default -> throw Json.bad("'tool_choice' must be auto, required, none or a function choice.");
      };
    }
    String name = Json.text(tc.path("function"), "name");
    if (name == null) {
      throw Json.bad("'tool_choice' must be auto, required, none or {\"type\":\"function\",\"function\":{\"name\":…}}.");
    }
    return new Choice(Kind.FUNCTION, name);
  }
}
