package com.lijiaoqiao.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.lijiaoqiao.http.GatewayException;
import java.io.IOException;

/**
 * The parts of an OpenAI-format request body the gateway interprets. Everything else in {@link #body()}
 * passes through to the upstream untouched.
 */
public final class OpenAiRequest {
  static final ObjectMapper JSON = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();

  private final Endpoint endpoint;
  private final ObjectNode body;
  private final String model;
  private final boolean stream;
  private final boolean includeUsage;
  private final Integer maxTokens;

  /** The tree no longer matches the bytes the client sent (the model was renamed): never relay those as they are. */
  private final boolean edited;

  private OpenAiRequest(Endpoint endpoint, ObjectNode body, String model, boolean stream, boolean includeUsage,
                        Integer maxTokens) {
    this(endpoint, body, model, stream, includeUsage, maxTokens, false);
  }

  private OpenAiRequest(Endpoint endpoint, ObjectNode body, String model, boolean stream, boolean includeUsage,
                        Integer maxTokens, boolean edited) {
    this.edited = edited;
    this.endpoint = endpoint;
    this.body = body;
    this.model = model;
    this.stream = stream;
    this.includeUsage = includeUsage;
    this.maxTokens = maxTokens;
  }

  /** Parses and validates a request body; every problem is a 400 that says what is wrong. */
  public static OpenAiRequest parse(Endpoint endpoint, byte[] bytes) {
    if (bytes.length == 0) {
      throw GatewayException.badRequest("The request body is empty; send a JSON object.");
    }
    JsonNode root;
    try {
      root = JSON.readTree(bytes);
    } catch (JsonProcessingException e) {
      String why = e.getOriginalMessage();
      if (why != null && why.contains("UTF-8")) {
        throw GatewayException.badRequest("The request body is not valid UTF-8.");
      }
      var loc = e.getLocation();
      throw GatewayException.badRequest("The request body is not valid JSON"
          + (loc != null ? " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")" : "")
          + ": " + shorten(why));
    } catch (IOException e) {
      throw GatewayException.badRequest("The request body could not be read as JSON.");
    }
    return parse(endpoint, root);
  }

  /** Validates an already-parsed body (for example one translated from another dialect). */
  public static OpenAiRequest parse(Endpoint endpoint, JsonNode root) {
    if (root == null || root.isMissingNode()) {
      throw GatewayException.badRequest("The request body is empty; send a JSON object.");
    }
    if (!root.isObject()) {
      throw GatewayException.badRequest("The request body must be a JSON object, not " + kind(root) + ".");
    }
    ObjectNode body = (ObjectNode) root;
    JsonNode model = body.get("model");
    if (model == null || model.isNull()) {
      throw GatewayException.badRequest("'model' is required.");
    }
    if (!model.isTextual() || model.asText().isBlank()) {
      throw GatewayException.badRequest("'model' must be a non-empty string, not " + kind(model) + ".");
    }
    checkModelLength(model.asText());
    switch (endpoint) {
      case CHAT_COMPLETIONS -> {
        JsonNode messages = body.get("messages");
        if (messages == null || messages.isNull()) {
          throw GatewayException.badRequest("'messages' is required.");
        }
        if (!messages.isArray()) {
          throw GatewayException.badRequest("'messages' must be an array, not " + kind(messages) + ".");
        }
        if (messages.isEmpty()) {
          throw GatewayException.badRequest("'messages' must contain at least one message.");
        }
        for (int i = 0; i < messages.size(); i++) {
          JsonNode m = messages.get(i);
          if (!m.isObject()) {
            throw GatewayException.badRequest("'messages[" + i + "]' must be an object, not " + kind(m) + ".");
          }
          JsonNode role = m.get("role");
          if (role == null || !role.isTextual()) {
            throw GatewayException.badRequest("'messages[" + i + "].role' must be a string.");
          }
        }
      }
      case COMPLETIONS -> {
        JsonNode prompt = body.get("prompt");
        if (prompt == null || !(prompt.isTextual() || prompt.isArray())) {
          throw GatewayException.badRequest("'prompt' is required and must be a string or an array.");
        }
      }
      case EMBEDDINGS -> {
        JsonNode input = body.get("input");
        if (input == null || !(input.isTextual() || input.isArray())) {
          throw GatewayException.badRequest("'input' is required and must be a string or an array.");
        }
        if (input.isArray() && input.isEmpty()) {
          throw GatewayException.badRequest("'input' must not be an empty array.");
        }
        if (input.isArray() && input.size() > MAX_EMBEDDING_INPUTS) {
          // OpenAI's own limit: a larger batch would hold the connection for one huge upstream call.
          throw GatewayException.badField("input", "'input' has more than " + MAX_EMBEDDING_INPUTS + " entries.");
        }
      }
    }
    boolean stream = false;
    JsonNode s = body.get("stream");
    if (s != null && !s.isNull()) {
      if (!s.isBoolean()) {
        throw GatewayException.badRequest("'stream' must be a boolean.");
      }
      stream = s.booleanValue();
      if (stream && !endpoint.streamable) {
        throw GatewayException.badRequest("'stream' is not supported for " + endpoint.path + ".");
      }
    }
    boolean includeUsage = false;
    JsonNode so = body.get("stream_options");
    if (so != null && !so.isNull()) {
      if (!so.isObject()) {
        throw GatewayException.badRequest("'stream_options' must be an object.");
      }
      JsonNode iu = so.get("include_usage");
      if (iu != null && !iu.isNull() && !iu.isBoolean()) {
        throw GatewayException.badRequest("'stream_options.include_usage' must be a boolean.");
      }
      includeUsage = iu != null && iu.asBoolean(false);
    }
    Integer maxTokens = null;
    for (String f : new String[] {"max_completion_tokens", "max_tokens"}) {
      JsonNode mt = body.get(f);
      if (mt != null && !mt.isNull()) {
        if (!mt.isIntegralNumber() || mt.asLong() < 1 || mt.asLong() > Integer.MAX_VALUE) {
          throw GatewayException.badRequest("'" + f + "' must be a positive integer.");
        }
        maxTokens = mt.intValue();
        break;
      }
    }
    return new OpenAiRequest(endpoint, body, model.asText(), stream, includeUsage, maxTokens);
  }

  private static String kind(JsonNode n) {
    if (n.isArray()) return "an array";
    if (n.isObject()) return "an object";
    if (n.isTextual()) return "a string";
    if (n.isNumber()) return "a number";
    if (n.isBoolean()) return "a boolean";
    if (n.isNull()) return "null";
    return "a " + n.getNodeType().name().toLowerCase();
  }

  private static String shorten(String s) {
    if (s == null) return "syntax error";
    int nl = s.indexOf('\n');
    String first = nl >= 0 ? s.substring(0, nl) : s;
    return first.length() > 200 ? first.substring(0, 200) + "…" : first;
  }

  public Endpoint endpoint() { return endpoint; }
  public ObjectNode body() { return body; }
  public String model() { return model; }

  /** Longest model name a request may carry (no configured model is longer; usage records hold this much). */
  public static final int MAX_MODEL_CHARS = 128;
  /** Most inputs one embeddings request may carry (OpenAI's limit). */
  public static final int MAX_EMBEDDING_INPUTS = 2048;

  /** Refuses an over-long model name at the door, so it never reaches routing, billing or records. */
  public static void checkModelLength(String model) {
    if (model.length() > MAX_MODEL_CHARS) {
      throw GatewayException.badField("model", "'model' is longer than " + MAX_MODEL_CHARS + " characters.");
    }
    for (int i = 0; i < model.length(); i++) {
      char c = model.charAt(i);
      if (c < 0x20 || c == 0x7f || Character.isSurrogate(c)) {
        // No model is named so, and such characters cannot be stored everywhere (PostgreSQL refuses NUL).
        throw GatewayException.badField("model", "'model' contains a control character or invalid Unicode.");
      }
    }
  }
  public boolean stream() { return stream; }

  /** The same request for another model (an alias resolved): the body's {@code model} is renamed in place. */
  public OpenAiRequest withModel(String newModel) {
    body.put("model", newModel);
    return new OpenAiRequest(endpoint, body, newModel, stream, includeUsage, maxTokens, true);
  }
  public boolean includeUsage() { return includeUsage; }
  public Integer maxTokens() { return maxTokens; }

  /**
   * The body to send upstream: the model renamed to the upstream's name and, for streams, usage requested
   * so the gateway always learns the real token counts. Serialised only when something changed.
   */
  public byte[] upstreamBody(byte[] original, String upstreamModel) {
    boolean rename = !upstreamModel.equals(model);
    boolean askUsage = stream && !includeUsage && endpoint.streamable;
    if (!rename && !askUsage && !edited) {
      return original;
    }
    // The tree is ours alone after parsing, so it is edited in place (safe to repeat for another upstream).
    ObjectNode copy = body;
    if (rename) {
      copy.put("model", upstreamModel);
    }
    if (askUsage) {
      JsonNode so = copy.get("stream_options");
      ObjectNode opts = so instanceof ObjectNode o ? o : copy.putObject("stream_options");
      opts.put("include_usage", true);
    }
    try {
      return JSON.writeValueAsBytes(copy);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("re-serialising a parsed body failed", e);
    }
  }
}
