package com.lijiaoqiao.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;

/**
 * Counts tokens with a real BPE tokenizer (o200k_base) for estimates and for requests whose upstream
 * reported no usage. Counts for non-OpenAI models are approximations; records say so (estimated = true). A prompt's
 * texts are counted once while they keep coming back ({@link PromptCountCache}): a conversation resends its history.
 */
public final class TokenCounter {
  private static final Encoding ENCODING =
      Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);
  /** OpenAI's chat format adds a few tokens per message and per reply. */
  private static final int PER_MESSAGE = 3;
  private static final int PER_REPLY = 3;

  private TokenCounter() {}

  /** The o200k_base encoding itself (shared by the embedded simulator, so its tables are loaded once). */
  public static Encoding o200k() {
    return ENCODING;
  }

  /**
   * Loads the tokenizer's tables (about half a second) on a thread of its own, so that a starting gateway does it
   * alongside its migrations rather than on the event loop of its first request.
   */
  public static void loadInBackground() {
    Thread.ofPlatform().name("ljq-tokenizer-load").daemon(true).start(() -> count("warm"));
  }

  public static int count(CharSequence text) {
    if (text == null || text.isEmpty()) return 0;
    return ENCODING.countTokensOrdinary(text.toString());
  }

  /** Above this many characters of text, {@link #estimatePrompt} bounds instead of tokenizing (time on the event loop). */
  private static final int EXACT_LIMIT_CHARS = 32 * 1024;

  /**
   * A fast estimate for limits and reservations: exact for ordinary prompts; for very large ones an upper
   * bound (two characters per token), never less than the real count.
   */
  public static long estimatePrompt(Endpoint endpoint, JsonNode body, long scope) {
    JsonNode text = switch (endpoint) {
      case CHAT_COMPLETIONS -> body.get("messages");
      case COMPLETIONS -> body.get("prompt");
      case EMBEDDINGS -> body.get("input");
    };
    int chars = text == null ? 0 : textLength(text, 0);
    if (chars > EXACT_LIMIT_CHARS) {
      return chars / 2 + 8L * (text.isArray() ? text.size() : 1) + PER_REPLY;
    }
    return countPrompt(endpoint, body, scope);
  }

  private static int textLength(JsonNode n, int acc) { // includes non-text strings (tool JSON): an upper bound
    if (n.isTextual()) return acc + n.asText().length();
    if (n.isContainerNode()) {
      for (JsonNode c : n) {
        acc = textLength(c, acc);
      }
    }
    return acc;
  }

  /**
   * Prompt tokens of an OpenAI-format request body (chat messages, completion prompt or embedding input).
   * {@code scope} (the tenant) keys the count cache: one tenant can never time whether another sent a text.
   */
  public static int countPrompt(Endpoint endpoint, JsonNode body, long scope) {
    return switch (endpoint) {
      case CHAT_COMPLETIONS -> countMessages(body.get("messages"), scope);
      case COMPLETIONS -> countLoose(body.get("prompt"), scope);
      case EMBEDDINGS -> countLoose(body.get("input"), scope);
    };
  }

  private static int countMessages(JsonNode messages, long scope) {
    if (messages == null || !messages.isArray()) return 0;
    int n = PER_REPLY;
    for (JsonNode m : messages) {
      n += PER_MESSAGE;
      JsonNode content = m.get("content");
      if (content != null) {
        if (content.isTextual()) {
          n += PromptCountCache.count(content.asText(), scope);
        } else if (content.isArray()) {
          for (JsonNode part : content) {
            JsonNode t = part.get("text");
            if (t != null && t.isTextual()) n += PromptCountCache.count(t.asText(), scope);
            else if (part.has("image_url")) n += 85; // OpenAI's base cost of a low-detail image
          }
        }
      }
      JsonNode name = m.get("name");
      if (name != null && name.isTextual()) n += count(name.asText()) + 1;
      JsonNode calls = m.get("tool_calls");
      if (calls != null) n += PromptCountCache.count(calls.toString(), scope);
    }
    return n;
  }

  private static int countLoose(JsonNode v, long scope) {
    if (v == null) return 0;
    if (v.isTextual()) return PromptCountCache.count(v.asText(), scope);
    if (v.isArray()) {
      int n = 0;
      for (JsonNode x : v) {
        if (x.isTextual()) n += PromptCountCache.count(x.asText(), scope);
        else if (x.isArray()) n += x.size(); // already tokens
        else if (x.isNumber()) n += 1;
      }
      return n;
    }
    return 0;
  }
}
