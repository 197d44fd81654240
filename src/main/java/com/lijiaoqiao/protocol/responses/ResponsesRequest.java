package com.lijiaoqiao.protocol.responses;

import com.lijiaoqiao.protocol.Json;
import static com.lijiaoqiao.protocol.Json.bad;
import static com.lijiaoqiao.protocol.Json.kind;
import static com.lijiaoqiao.protocol.Json.present;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.lijiaoqiao.http.GatewayException;
import com.lijiaoqiao.protocol.OpenAiRequest;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A parsed, validated Responses API request ({@code POST /v1/responses}). Every field is checked here (a 400
 * naming it); {@link #toChat} builds the chat-completions body the rest of the gateway works with (routing,
 * limits, reservation, OpenAI-compatible upstreams and, through the existing translation, Anthropic ones).
 */
public final class ResponsesRequest {
  public static final int MAX_INPUT_ITEMS = 10_000;
  public static final int MAX_ID_CHARS = 128;
  public static final int MAX_OUTPUT_TOKENS = 1_000_000;

  /** Known fields; anything else is refused, naming it (it might change the answer, silently ignored). */
  private static final Set<String> FIELDS = Set.of("model", "input", "instructions", "tools", "tool_choice",
      "parallel_tool_calls", "text", "reasoning", "max_output_tokens", "temperature", "top_p", "stream",
      "stream_options", "prompt_cache_key", "store", "include", "metadata", "user", "previous_response_id",
      "safety_identifier", "service_tier", "truncation", "background", "top_logprobs", "prompt_cache_retention",
      "client_metadata");
  private static final Set<String> EFFORTS = Set.of("none", "minimal", "low", "medium", "high", "xhigh");

  private final ObjectNode body;
  private final String model;
  private final boolean stream;
  private final boolean store;
  private List<JsonNode> input;
  private final String previousResponseId;
  private final Set<String> dropped = new LinkedHashSet<>();

  private ResponsesRequest(ObjectNode body, String model, boolean stream, boolean store, List<JsonNode> input,
                           String previousResponseId) {
    this.body = body;
    this.model = model;
    this.stream = stream;
    this.store = store;
    this.input = input;
    this.previousResponseId = previousResponseId;
  }

  public ObjectNode body() { return body; }
  public String model() { return model; }
  public boolean stream() { return stream; }
  /** Whether the gateway keeps the response for GET and previous_response_id (the API's default: true). */
  public boolean store() { return store; }
  /** This turn's input items (a string input becomes one user message). */
  public List<JsonNode> input() { return input; }
  public String previousResponseId() { return previousResponseId; }
  /** Whether this turn's input refers to stored items by id ({@code item_reference}). */
  public boolean hasItemReferences() {
    for (JsonNode item : input) {
      if ("item_reference".equals(Json.text(item, "type"))) return true;
    }
    return false;
  }

  /**
   * Replaces every {@code item_reference} with the stored item {@code lookup} returns for its id; none found (unknown,
   * expired, another tenant's, or its response was not stored) is a 400 naming the reference.
   */
  public void resolveItemReferences(java.util.function.Function<String, JsonNode> lookup) {
    List<JsonNode> resolved = new java.util.ArrayList<>(input.size());
    for (int i = 0; i < input.size(); i++) {
      JsonNode item = input.get(i);
      if ("item_reference".equals(Json.text(item, "type"))) {
        String id = item.get("id").asText();
        JsonNode found = lookup.apply(id);
        if (found == null) {
          throw bad("input[" + i + "].id", "'input[" + i + "].id': no stored item with id '" + clip(id) + "' (unknown,"
              + " expired, or its response was created with store: false or on another gateway node); send the item"
              + " itself instead.");
        }
        item = found;
      }
      resolved.add(item);
    }
    input = java.util.Collections.unmodifiableList(resolved);
  }

  /** Fields left out towards a chat upstream (x-ljq-dropped); filled by {@link #toChat}. */
  public Set<String> dropped() { return dropped; }

  public static ResponsesRequest parse(byte[] bytes) {
    if (bytes.length == 0) throw GatewayException.badRequest("The request body is empty; send a JSON object.");
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(bytes);
    } catch (JsonProcessingException e) {
      String why = e.getOriginalMessage();
      if (why != null && why.contains("UTF-8")) throw GatewayException.badRequest("The request body is not valid UTF-8.");
      var loc = e.getLocation();
      int nl = why == null ? -1 : why.indexOf('\n');
      String first = why == null ? "syntax error" : nl >= 0 ? why.substring(0, nl) : why;
      throw GatewayException.badRequest("The request body is not valid JSON"
          + (loc != null ? " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")" : "") + ": "
          + (first.length() > 200 ? first.substring(0, 200) + "…" : first));
    } catch (IOException e) {
      throw GatewayException.badRequest("The request body could not be read as JSON.");
    }
    if (root == null || root.isMissingNode()) throw GatewayException.badRequest("The request body is empty; send a JSON object.");
    if (!root.isObject()) throw GatewayException.badRequest("The request body must be a JSON object, not " + kind(root) + ".");
    return parse((ObjectNode) root);
  }

  static ResponsesRequest parse(ObjectNode body) {
    for (var it = body.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!FIELDS.contains(f)) {
        throw bad(f.length() > 64 ? f.substring(0, 64) : f, "'" + clip(f) + "' is not a supported Responses API field.");
      }
    }
    JsonNode model = body.get("model");
    if (!present(model)) throw bad("model", "'model' is required.");
    if (!model.isTextual() || model.asText().isBlank()) {
      throw bad("model", "'model' must be a non-empty string, not " + kind(model) + ".");
    }
    OpenAiRequest.checkModelLength(model.asText());
    List<JsonNode> input = ResponsesItems.parseInput(body.get("input"));
    Json.optString(body, "instructions", "instructions", Integer.MAX_VALUE);
    ResponsesTools.validate(body);
    Json.optBool(body, "parallel_tool_calls");
    JsonNode mot = body.get("max_output_tokens");
    if (present(mot) && (!mot.isIntegralNumber() || mot.asLong() < 1 || mot.asLong() > MAX_OUTPUT_TOKENS)) {
      throw bad("max_output_tokens", "'max_output_tokens' must be an integer from 1 to " + MAX_OUTPUT_TOKENS + ".");
    }
    Json.optNumber(body, "temperature", 0, 2);
    Json.optNumber(body, "top_p", 0, 1);
    Boolean stream = Json.optBool(body, "stream");
    Boolean store = Json.optBool(body, "store");
    if (Boolean.TRUE.equals(Json.optBool(body, "background"))) {
      throw bad("background", "'background' responses are not supported by the gateway; send the request without it.");
    }
    JsonNode so = body.get("stream_options");
    if (present(so) && !so.isObject()) throw bad("stream_options", "'stream_options' must be an object.");
    Json.optString(body, "prompt_cache_key", "prompt_cache_key", 1024);
    Json.optString(body, "prompt_cache_retention", "prompt_cache_retention", 32);
    Json.optString(body, "user", "user", 256);
    Json.optString(body, "safety_identifier", "safety_identifier", 256);
    Json.optString(body, "service_tier", "service_tier", 32);
    String truncation = Json.optString(body, "truncation", "truncation", 16);
    if (truncation != null && !truncation.equals("auto") && !truncation.equals("disabled")) {
      throw bad("truncation", "'truncation' must be 'auto' or 'disabled'.");
    }
    JsonNode tl = body.get("top_logprobs");
    if (present(tl) && (!tl.isIntegralNumber() || tl.asInt() != 0)) {
      throw bad("top_logprobs", "'top_logprobs' is not supported by the gateway (only 0).");
    }
    String prev = Json.optString(body, "previous_response_id", "previous_response_id", MAX_ID_CHARS);
    validateInclude(body.get("include"));
    validateMetadata(body.get("metadata"));
    validateClientMetadata(body.get("client_metadata"));
    validateText(body.get("text"));
    validateReasoning(body.get("reasoning"));
    if (input.isEmpty() && prev == null) throw bad("input", "'input' must contain at least one item.");
    return new ResponsesRequest(body, model.asText(), Boolean.TRUE.equals(stream), !Boolean.FALSE.equals(store),
        input, prev);
  }

  private static void validateInclude(JsonNode inc) {
    if (!present(inc)) return;
    if (!inc.isArray() || inc.size() > 32) throw bad("include", "'include' must be an array of at most 32 strings.");
    for (int i = 0; i < inc.size(); i++) {
      if (!inc.get(i).isTextual() || inc.get(i).asText().length() > 128) {
        throw bad("include[" + i + "]", "'include[" + i + "]' must be a string of at most 128 characters.");
      }
    }
  }

  private static void validateMetadata(JsonNode md) {
    if (!present(md)) return;
    // OpenAI's own limits: 16 pairs, keys up to 64 characters, values up to 512.
    if (!md.isObject() || md.size() > 16) throw bad("metadata", "'metadata' must be an object of at most 16 pairs.");
    for (var it = md.fields(); it.hasNext(); ) {
      var e = it.next();
      if (e.getKey().length() > 64 || !e.getValue().isTextual() || e.getValue().asText().length() > 512) {
        throw bad("metadata", "'metadata' keys must be at most 64 characters and values strings of at most 512.");
      }
    }
  }

  /** Codex CLI's per-turn bookkeeping (installation, session and turn ids): string pairs, never sent upstream. */
  private static void validateClientMetadata(JsonNode md) {
    if (!present(md)) return;
    if (!md.isObject() || md.size() > 64) throw bad("client_metadata", "'client_metadata' must be an object of at most 64 pairs.");
    for (var it = md.fields(); it.hasNext(); ) {
      var e = it.next();
      if (e.getKey().length() > 128 || !e.getValue().isTextual() || e.getValue().asText().length() > 16_384) {
        throw bad("client_metadata", "'client_metadata' keys must be at most 128 characters and values strings of at most 16384.");
      }
    }
  }

  private static void validateText(JsonNode text) {
    if (!present(text)) return;
    if (!text.isObject()) throw bad("text", "'text' must be an object, not " + kind(text) + ".");
    String verbosity = Json.optString(text, "verbosity", "text.verbosity", 16);
    if (verbosity != null && !Set.of("low", "medium", "high").contains(verbosity)) {
      throw bad("text.verbosity", "'text.verbosity' must be low, medium or high.");
    }
    JsonNode f = text.get("format");
    if (!present(f)) return;
    if (!f.isObject()) throw bad("text.format", "'text.format' must be an object.");
    String type = Json.reqString(f, "type", "text.format.type", 32);
    switch (type) {
      case "text", "json_object" -> { }
      case "json_schema" -> {
        Json.reqString(f, "name", "text.format.name", 64);
        Json.optString(f, "description", "text.format.description", 4096);
        if (!f.path("schema").isObject()) throw bad("text.format.schema", "'text.format.schema' must be an object.");
        Json.optBool(f, "strict");
      }
      default -> throw bad("text.format.type", "'text.format.type' must be text, json_object or json_schema.");
    }
  }

  private static void validateReasoning(JsonNode r) {
    if (!present(r)) return;
    if (!r.isObject()) throw bad("reasoning", "'reasoning' must be an object, not " + kind(r) + ".");
    String effort = Json.optString(r, "effort", "reasoning.effort", 16);
    if (effort != null && !EFFORTS.contains(effort)) {
      throw bad("reasoning.effort", "'reasoning.effort' must be one of " + String.join(", ", EFFORTS) + ".");
    }
    Json.optString(r, "summary", "reasoning.summary", 16);
    Json.optString(r, "generate_summary", "reasoning.generate_summary", 16);
  }

  /**
   * The chat-completions body for this turn: {@code history} (a stored conversation's input and output items,
   * from previous_response_id) then this turn's input, after the instructions.
   */
  public ObjectNode toChat(List<JsonNode> history) {
    dropped.clear();
    ObjectNode chat = Json.obj().put("model", model);
    ArrayNode messages = chat.putArray("messages");
    String instructions = Json.text(body, "instructions");
    if (instructions != null) messages.addObject().put("role", "system").put("content", instructions);
    ResponsesItems.toMessages(history, messages, dropped);
    ResponsesItems.toMessages(input, messages, dropped);
    if (messages.isEmpty()) throw bad("input", "'input' must contain at least one item.");
    ResponsesTools.toChat(body, chat, dropped);
    JsonNode mot = body.get("max_output_tokens");
    if (present(mot)) chat.put("max_completion_tokens", mot.asInt());
    copy("temperature", chat);
    copy("top_p", chat);
    copy("user", chat);
    copy("safety_identifier", chat);
    copy("service_tier", chat);
    copy("prompt_cache_key", chat);
    copy("prompt_cache_retention", chat);
    String effort = Json.text(body.path("reasoning"), "effort");
    if (effort != null) chat.put("reasoning_effort", effort);
    if (present(body.path("reasoning").get("summary"))) dropped.add("reasoning.summary");
    JsonNode text = body.get("text");
    if (present(text)) {
      JsonNode f = text.get("format");
      if (present(f)) {
        switch (f.get("type").asText()) {
          case "json_object" -> chat.putObject("response_format").put("type", "json_object");
          case "json_schema" -> {
            ObjectNode js = chat.putObject("response_format").put("type", "json_schema").putObject("json_schema");
            js.put("name", f.get("name").asText());
            if (f.hasNonNull("description")) js.put("description", f.get("description").asText());
            js.set("schema", f.get("schema"));
            if (f.hasNonNull("strict")) js.put("strict", f.get("strict").asBoolean());
          }
          default -> { }
        }
      }
      if (present(text.get("verbosity"))) dropped.add("text.verbosity");
    }
    JsonNode inc = body.get("include");
    if (present(inc) && !inc.isEmpty()) dropped.add("include");
    if ("auto".equals(Json.text(body, "truncation"))) dropped.add("truncation");
    if (present(body.get("client_metadata"))) dropped.add("client_metadata");
    if (stream) chat.put("stream", true).putObject("stream_options").put("include_usage", true);
    return chat;
  }

  private void copy(String field, ObjectNode chat) {
    JsonNode v = body.get(field);
    if (present(v)) chat.set(field, v);
  }

  /** The function tools as the client sent them (echoed in the response object). */
  public ArrayNode functionTools() {
    return ResponsesTools.functionTools(body);
  }

  static String clip(String s) {
    return s.length() > 64 ? s.substring(0, 64) + "…" : s;
  }
}
