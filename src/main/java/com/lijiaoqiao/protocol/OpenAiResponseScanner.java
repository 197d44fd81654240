package com.lijiaoqiao.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * Reads, with a streaming parser, only what the gateway needs from an OpenAI-format response body or stream
 * chunk: the usage object, whether a choice finished, and the generated text (kept only for counting tokens
 * when usage is missing). Everything else is skipped without building a tree.
 */
public final class OpenAiResponseScanner {
  private static final JsonFactory FACTORY = new JsonFactory();

  /** What one body or chunk said. {@code valid} is false when it was not well-formed JSON. */
  public static final class Result {
    public boolean valid = true;
    public boolean hasChoices;
    public int choiceCount;
    public String finishReason;
    public String model;
    public TokenUsage usage;
    /** Byte offset of the '{' that opens the top-level usage object, or -1. */
    public long usageOffset = -1;
    public boolean isError;
    /** The message/delta content text alone (no reasoning, no tool call), or null when there was none. */
    public String content;
    /** The message or delta held tool calls. */
    public boolean toolCalls;
  }

  private OpenAiResponseScanner() {}

  /**
   * @param text when non-null, generated text (message/delta content, tool-call arguments, completion text)
   *             is appended to it.
   */
  public static Result scan(byte[] json, int offset, int length, StringBuilder text) {
    Result r = new Result();
    try (JsonParser p = FACTORY.createParser(json, offset, length)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        r.valid = false;
        return r;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String f = p.currentName();
        JsonToken t = p.nextToken();
        switch (f) {
          case "usage" -> {
            if (t == JsonToken.START_OBJECT) {
              r.usageOffset = p.currentTokenLocation().getByteOffset();
              r.usage = readUsage(p);
            }
            else p.skipChildren();
          }
          case "model" -> r.model = t == JsonToken.VALUE_STRING ? p.getText() : null;
          case "choices" -> {
            if (t == JsonToken.START_ARRAY) readChoices(p, r, text);
            else p.skipChildren();
          }
          case "error" -> {
            r.isError = true;
            p.skipChildren();
          }
          default -> p.skipChildren();
        }
      }
      if (p.nextToken() != null) {
        r.valid = false;
      }
    } catch (IOException e) {
      r.valid = false;
    }
    return r;
  }

  public static Result scan(byte[] json, StringBuilder text) {
    return scan(json, 0, json.length, text);
  }

  /**
   * Returns the body with {@code "name":value} inserted as the first field of its usage object (whose '{'
   * is at {@code usageOffset}), without re-serialising the rest.
   */
  public static byte[] insertIntoUsage(byte[] json, long usageOffset, String name, String jsonValue) {
    int at = (int) usageOffset + 1;
    int next = at;
    while (next < json.length && Character.isWhitespace(json[next])) next++;
    boolean empty = next < json.length && json[next] == '}';
    byte[] field = ("\"" + name + "\":" + jsonValue + (empty ? "" : ",")).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] out = new byte[json.length + field.length];
    System.arraycopy(json, 0, out, 0, at);
    System.arraycopy(field, 0, out, at, field.length);
    System.arraycopy(json, at, out, at + field.length, json.length - at);
    return out;
  }

  private static void readChoices(JsonParser p, Result r, StringBuilder text) throws IOException {
    while (p.nextToken() == JsonToken.START_OBJECT) {
      r.hasChoices = true;
      r.choiceCount++;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String f = p.currentName();
        JsonToken t = p.nextToken();
        switch (f) {
          case "finish_reason" -> {
            if (t == JsonToken.VALUE_STRING) r.finishReason = p.getText();
          }
          case "text" -> appendIfString(p, t, text);
          case "delta", "message" -> {
            if (t == JsonToken.START_OBJECT) readMessage(p, r, text);
            else p.skipChildren();
          }
          default -> p.skipChildren();
        }
      }
    }
  }

  private static void readMessage(JsonParser p, Result r, StringBuilder text) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String f = p.currentName();
      JsonToken t = p.nextToken();
      switch (f) {
        case "content" -> {
          if (t == JsonToken.VALUE_STRING) {
            String s = p.getText();
            if (text != null) text.append(s);
            r.content = r.content == null ? s : r.content + s;
          } else {
            p.skipChildren();
          }
        }
        case "reasoning_content", "refusal" -> appendIfString(p, t, text);
        case "tool_calls" -> {
          r.toolCalls = true;
          if (t == JsonToken.START_ARRAY) readToolCalls(p, text);
          else p.skipChildren();
        }
        default -> p.skipChildren();
      }
    }
  }

  private static void readToolCalls(JsonParser p, StringBuilder text) throws IOException {
    while (p.nextToken() == JsonToken.START_OBJECT) {
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String f = p.currentName();
        JsonToken t = p.nextToken();
        if (f.equals("function") && t == JsonToken.START_OBJECT) {
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String g = p.currentName();
            JsonToken u = p.nextToken();
            if (g.equals("arguments") || g.equals("name")) appendIfString(p, u, text);
            else p.skipChildren();
          }
        } else {
          p.skipChildren();
        }
      }
    }
  }

  private static void appendIfString(JsonParser p, JsonToken t, StringBuilder text) throws IOException {
    if (t == JsonToken.VALUE_STRING) {
      if (text != null) text.append(p.getText());
    } else {
      p.skipChildren();
    }
  }

  private static TokenUsage readUsage(JsonParser p) throws IOException {
    long prompt = 0, completion = 0, cached = 0;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String f = p.currentName();
      JsonToken t = p.nextToken();
      switch (f) {
        case "prompt_tokens" -> prompt = t.isNumeric() ? p.getLongValue() : 0;
        case "completion_tokens" -> completion = t.isNumeric() ? p.getLongValue() : 0;
        case "prompt_tokens_details" -> {
          if (t == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              String g = p.currentName();
              JsonToken u = p.nextToken();
              if (g.equals("cached_tokens") && u.isNumeric()) cached = p.getLongValue();
              else p.skipChildren();
            }
          } else {
            p.skipChildren();
          }
        }
        default -> p.skipChildren();
      }
    }
    return new TokenUsage(prompt, completion, cached, false);
  }
}
