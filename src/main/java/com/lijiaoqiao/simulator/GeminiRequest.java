package com.lijiaoqiao.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * A Gemini GenerateContentRequest read into a {@link Prompt} (counted like the Anthropic dialect: tools, system, 3 per
 * content) plus the generation options the simulator acts on. Field names are accepted in lowerCamel and snake_case,
 * as Google's JSON parser does; unknown top-level fields are refused as Gemini refuses them.
 */
final class GeminiRequest {
  static final int IMAGE_TOKENS = 258;
  private static final Set<String> TOP = Set.of("model", "contents", "tools", "toolConfig", "tool_config",
      "safetySettings", "safety_settings", "systemInstruction", "system_instruction", "generationConfig",
      "generation_config", "cachedContent", "cached_content");
  private static final List<String> NUMBERS = List.of("maxOutputTokens", "candidateCount", "temperature", "topP",
      "topK", "seed", "presencePenalty", "frequencyPenalty");

  final Prompt p;
  /** maxOutputTokens, or -1. */
  int maxOutput = -1;
  boolean includeThoughts;
  /** thinkingConfig.thinkingBudget: -1 dynamic (or not given), 0 off. */
  int thinkingBudget = -1;
  /** responseMimeType application/json: the answer is JSON built from {@link #schema}. */
  boolean json;
  JsonNode schema;

  private GeminiRequest(Prompt p) {
    this.p = p;
  }

  private static SimHandler.BadRequest bad(String msg) {
    return new SimHandler.BadRequest(msg, null);
  }

  /** A field by its lowerCamel name, else by its snake_case name. */
  static JsonNode f(JsonNode n, String camel) {
    if (n == null) {
      return null;
    }
    JsonNode v = n.get(camel);
    return v != null ? v : n.get(snake(camel));
  }

  /**
   * The body of generateContent / streamGenerateContent; {@code d} for a continuation ({@code prefill=refuse}), or
   * {@link Directives#NONE} (countTokens).
   */
  static GeminiRequest parse(JsonNode body, String model, Directives d) {
    Iterator<String> names = body.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!TOP.contains(name)) {
        throw bad("Invalid JSON payload received. Unknown name \"" + name + "\": Cannot find field.");
      }
    }
    GeminiRequest r = new GeminiRequest(new Prompt(TextGen.encodingFor(model)));
    r.tools(f(body, "tools"), f(body, "toolConfig"));
    r.system(f(body, "systemInstruction"));
    r.contents(f(body, "contents"), d);
    r.generationConfig(f(body, "generationConfig"));
    return r;
  }

  /** The body of countTokens: {@code {"contents":[…]}} or {@code {"generateContentRequest":{…}}}. */
  static GeminiRequest parseCount(JsonNode body, String model) {
    JsonNode gcr = f(body, "generateContentRequest");
    if (gcr != null && gcr.isObject()) {
      return parse(gcr, model, Directives.NONE);
    }
    GeminiRequest r = new GeminiRequest(new Prompt(TextGen.encodingFor(model)));
    r.contents(f(body, "contents"), Directives.NONE);
    return r;
  }

  private void tools(JsonNode tools, JsonNode toolConfig) {
    if (tools != null && tools.isArray()) {
      for (int i = 0; i < tools.size(); i++) {
        JsonNode decls = f(tools.get(i), "functionDeclarations");
        if (decls == null || !decls.isArray()) {
          continue; // googleSearch, codeExecution, …: nothing to call
        }
        for (int j = 0; j < decls.size(); j++) {
          JsonNode d = decls.get(j);
          String name = d.path("name").asText("");
          if (name.isEmpty()) {
            throw bad("* GenerateContentRequest.tools[" + i + "].function_declarations[" + j
                + "].name: Name cannot be empty.");
          }
          JsonNode schema = f(d, "parametersJsonSchema");
          if (schema == null) {
            schema = d.get("parameters");
          }
          p.tools.add(new Tools.Tool(name, schema));
          p.tokens += 8;
          p.text(name);
          p.text(d.path("description").asText(""));
          if (schema != null) {
            p.text(schema.toString());
          }
        }
      }
    }
    JsonNode fcc = f(toolConfig, "functionCallingConfig");
    if (fcc == null || !fcc.isObject()) {
      return;
    }
    String mode = fcc.path("mode").asText("AUTO");
    switch (mode) {
      case "NONE" -> p.toolsNone = true;
      case "ANY" -> {
        p.toolsRequired = true;
        JsonNode allowed = f(fcc, "allowedFunctionNames");
        if (allowed != null && allowed.isArray() && !allowed.isEmpty()) {
          if (allowed.size() == 1) {
            p.forcedTool = allowed.get(0).asText();
          } else {
            Set<String> names = new java.util.HashSet<>();
            allowed.forEach(a -> names.add(a.asText()));
            p.tools.removeIf(t -> !names.contains(t.name()));
          }
        }
      }
      case "AUTO", "VALIDATED", "MODE_UNSPECIFIED" -> { }
      default -> throw bad("Invalid value at 'tool_config.function_calling_config.mode' "
          + "(type.googleapis.com/google.ai.generativelanguage.v1beta.FunctionCallingConfig.Mode), \"" + mode + "\"");
    }
  }

  private void system(JsonNode sys) {
    if (sys == null || sys.isNull()) {
      return;
    }
    p.tokens += 3;
    if (sys.isTextual()) {
      p.text(sys.asText());
      return;
    }
    JsonNode parts = sys.get("parts");
    if (parts != null && parts.isArray()) {
      for (JsonNode part : parts) {
        p.text(part.path("text").asText(""));
      }
    }
  }

  private void contents(JsonNode contents, Directives d) {
    if (contents == null || !contents.isArray() || contents.isEmpty()) {
      throw bad("* GenerateContentRequest.contents: contents is not specified");
    }
    p.cont = Continuation.find(contents, Continuation.GEMINI, d);
    for (int i = 0; i < contents.size(); i++) {
      JsonNode c = contents.get(i);
      p.before(i);
      String role = c.path("role").asText("user");
      if (role.isEmpty()) {
        role = "user";
      }
      if (!role.equals("user") && !role.equals("model") && !role.equals("function")) {
        throw bad("Please use a valid role: user, model.");
      }
      JsonNode parts = c.get("parts");
      if (parts == null || !parts.isArray() || parts.isEmpty()) {
        throw bad("* GenerateContentRequest.contents[" + i + "].parts: contents.parts must not be empty.");
      }
      p.tokens += 3;
      p.sep(role);
      StringBuilder userText = new StringBuilder();
      String toolResult = null;
      for (int j = 0; j < parts.size(); j++) {
        String r = part(parts.get(j), i, j, userText);
        if (r != null) {
          toolResult = toolResult == null ? r : toolResult + "\n" + r;
        }
      }
      if (role.equals("model")) {
        p.toolResult = null;
      } else {
        p.toolResult = toolResult;
        if (!userText.isEmpty()) {
          p.lastUser = userText.toString();
        }
      }
    }
  }

  /** Counts one part; returns the text of a functionResponse (else null) and adds plain text to {@code userText}. */
  private String part(JsonNode part, int i, int j, StringBuilder userText) {
    JsonNode t = part.get("text");
    if (t != null && t.isTextual()) {
      p.text(t.asText());
      if (!part.path("thought").asBoolean(false)) {
        if (!userText.isEmpty()) {
          userText.append('\n');
        }
        userText.append(t.asText());
      }
      return null;
    }
    JsonNode media = f(part, "inlineData");
    if (media == null) {
      media = f(part, "fileData");
    }
    if (media != null) {
      p.tokens += IMAGE_TOKENS;
      JsonNode src = media.has("data") ? media.get("data") : f(media, "fileUri");
      p.sep(src == null ? "" : src.asText());
      return null;
    }
    JsonNode call = f(part, "functionCall");
    if (call != null) {
      p.tokens += 4;
      p.text(call.path("name").asText(""));
      JsonNode args = call.get("args");
      if (args != null) {
        p.text(args.toString());
      }
      return null;
    }
    JsonNode resp = f(part, "functionResponse");
    if (resp != null) {
      p.tokens += 4;
      JsonNode r = resp.get("response");
      String text = r == null || r.isNull() ? "" : r.path("result").isTextual() ? r.path("result").asText()
          : r.path("output").isTextual() ? r.path("output").asText() : r.isTextual() ? r.asText() : r.toString();
      p.text(text);
      return text;
    }
    JsonNode code = f(part, "executableCode");
    if (code == null) {
      code = f(part, "codeExecutionResult");
    }
    if (code != null) {
      p.text(code.toString());
      return null;
    }
    throw bad("* GenerateContentRequest.contents[" + i + "].parts[" + j
        + "].data: required oneof field 'data' must have one initialized field");
  }

  private void generationConfig(JsonNode gc) {
    if (gc == null || !gc.isObject()) {
      return;
    }
    for (String name : NUMBERS) {
      JsonNode v = f(gc, name);
      if (v != null && !v.isNull() && !v.isNumber()) {
        throw bad("Invalid value at 'generation_config." + snake(name) + "', \"" + v.asText() + "\"");
      }
    }
    JsonNode max = f(gc, "maxOutputTokens");
    if (max != null && max.asInt() > 0) {
      maxOutput = max.asInt();
    }
    JsonNode cc = f(gc, "candidateCount");
    if (cc != null && cc.asInt() > 1) {
      throw bad("candidateCount > 1 is not supported by the simulator.");
    }
    JsonNode mime = f(gc, "responseMimeType");
    if (mime != null && mime.asText().equals("application/json")) {
      json = true;
      schema = f(gc, "responseJsonSchema");
      if (schema == null) {
        schema = f(gc, "responseSchema");
      }
    }
    JsonNode tc = f(gc, "thinkingConfig");
    if (tc != null && tc.isObject()) {
      includeThoughts = f(tc, "includeThoughts") != null && f(tc, "includeThoughts").asBoolean(false);
      JsonNode budget = f(tc, "thinkingBudget");
      if (budget != null && budget.canConvertToInt()) {
        thinkingBudget = budget.asInt();
      }
    }
  }

  private static String snake(String camel) {
    StringBuilder sb = new StringBuilder(camel.length() + 4);
    for (int i = 0; i < camel.length(); i++) {
      char c = camel.charAt(i);
      if (Character.isUpperCase(c)) {
        sb.append('_').append(Character.toLowerCase(c));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }
}
