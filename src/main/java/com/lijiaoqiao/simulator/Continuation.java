package com.lijiaoqiao.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A request that asks the model to continue an answer it had started (the gateway's mid-stream rescue): either
 * <b>assistant prefill</b> (the conversation ends with an assistant message whose text P the model continues) or the
 * <b>continuation instruction</b> (an assistant message P, then a user message starting with {@link #MARKER}).
 *
 * <p>The messages from {@link #start} on are counted in the prompt tokens as usual but the text answer is generated from
 * the prompt as it stood before them ({@link #take}): the answer T the conversation alone gets. The reply is then
 * T minus P when T starts with P (else T: a model that cannot continue restarts), or what the {@code continue}
 * directive asks for. Tool calls are not affected.
 */
final class Continuation {
  static final String MARKER = "Your previous answer was cut off.";
  static final String PREFILL_REFUSED =
      "This model does not support assistant message prefill. The conversation must end with a user message.";
  /** {@code continue=repeat_tail} repeats this many characters of P before the remainder. */
  static final int TAIL = 12;

  /** Index of the first message not taken into the answer (the prefill, or the assistant message before the instruction). */
  final int start;
  /** The text the answer continues. */
  final String prefill;
  long hash;
  String lastUser;
  String toolResult;

  private Continuation(int start, String prefill) {
    this.start = start;
    this.prefill = prefill;
  }

  /** How a dialect reads a message for this purpose. */
  interface Reader {
    /** True for the model's role ({@code assistant}, Gemini's {@code model}). */
    boolean assistant(JsonNode m);

    /** The text of an assistant message that holds text only (no tool calls), else null. */
    String assistantText(JsonNode m);

    /** The text of a user message (null when none). */
    String userText(JsonNode m);
  }

  /** The continuation the messages ask for, or null; {@code prefill=refuse} refuses a final assistant message. */
  static Continuation find(JsonNode msgs, Reader r, Directives d) {
    int n = msgs == null || !msgs.isArray() ? 0 : msgs.size();
    if (n == 0) {
      return null;
    }
    JsonNode last = msgs.get(n - 1);
    if (r.assistant(last)) {
      if (d.prefillRefuse) {
        throw new SimHandler.BadRequest(PREFILL_REFUSED, "messages");
      }
      String p = r.assistantText(last);
      return p == null ? null : new Continuation(n - 1, p);
    }
    if (n >= 2 && r.assistant(msgs.get(n - 2))) {
      String u = r.userText(last);
      String p = r.assistantText(msgs.get(n - 2));
      if (u != null && p != null && u.stripLeading().startsWith(MARKER)) {
        return new Continuation(n - 2, p);
      }
    }
    return null;
  }

  /** Remembers what the answer is generated from: the prompt before message {@link #start}. */
  void take(Prompt p) {
    hash = p.hash;
    lastUser = p.lastUser;
    toolResult = p.toolResult;
  }

  /** The reply for the full answer {@code t}, per the {@code continue} directive; pieces stay one chunk each. */
  Prompt.Answer apply(Prompt.Answer t, Directives d, Prompt p) {
    boolean continues = !d.continueMode.equals("restart") && t.text().startsWith(prefill);
    List<String> out = new ArrayList<>();
    if (d.continueMode.equals("repeat_tail") && !prefill.isEmpty()) {
      out.add(prefill.substring(Math.max(0, prefill.length() - TAIL)));
    }
    if (!continues) {
      if (out.isEmpty()) {
        return t;
      }
      out.addAll(List.of(t.pieces()));
    } else {
      int skip = prefill.length();
      for (String piece : t.pieces()) {
        if (skip >= piece.length()) {
          skip -= piece.length();
        } else {
          out.add(piece.substring(skip));
          skip = 0;
        }
      }
    }
    if (out.isEmpty()) {
      out.add(""); // P was the whole answer: one empty chunk still carries the end of the stream
    }
    String[] pieces = out.toArray(String[]::new);
    String text = TextGen.join(pieces);
    return new Prompt.Answer(pieces, text, TextGen.count(p.enc, text), t.capped());
  }

  // ------------------------------------------------------------------ the dialects' readers

  /** OpenAI chat: {@code assistant} messages with string or text-part content and no {@code tool_calls}. */
  static final Reader OPENAI = new Reader() {
    @Override
    public boolean assistant(JsonNode m) {
      return "assistant".equals(m.path("role").asText());
    }

    @Override
    public String assistantText(JsonNode m) {
      JsonNode calls = m.get("tool_calls");
      if (calls != null && calls.isArray() && !calls.isEmpty() || m.hasNonNull("function_call")) {
        return null;
      }
      return concat(m.get("content"));
    }

    @Override
    public String userText(JsonNode m) {
      return "user".equals(m.path("role").asText("user")) ? Prompt.contentText(m.get("content")) : null;
    }
  };

  /** Anthropic: {@code assistant} messages with string or text-block content (thinking blocks ignored, no tool_use). */
  static final Reader ANTHROPIC = new Reader() {
    @Override
    public boolean assistant(JsonNode m) {
      return "assistant".equals(m.path("role").asText());
    }

    @Override
    public String assistantText(JsonNode m) {
      return concat(m.get("content"));
    }

    @Override
    public String userText(JsonNode m) {
      return "user".equals(m.path("role").asText("user")) ? Prompt.contentText(m.get("content")) : null;
    }
  };

  /** Gemini: {@code model} contents with text parts only (thought parts ignored, no functionCall). */
  static final Reader GEMINI = new Reader() {
    @Override
    public boolean assistant(JsonNode m) {
      return "model".equals(m.path("role").asText());
    }

    @Override
    public String assistantText(JsonNode m) {
      JsonNode parts = m.get("parts");
      if (parts == null || !parts.isArray()) {
        return null;
      }
      StringBuilder sb = new StringBuilder();
      for (JsonNode part : parts) {
        JsonNode t = part.get("text");
        if (t == null || !t.isTextual()) {
          return null; // functionCall, media, …
        }
        if (!part.path("thought").asBoolean(false)) {
          sb.append(t.asText());
        }
      }
      return sb.toString();
    }

    @Override
    public String userText(JsonNode m) {
      String role = m.path("role").asText("user");
      if (!role.isEmpty() && !role.equals("user")) {
        return null;
      }
      StringBuilder sb = new StringBuilder();
      for (JsonNode part : m.path("parts")) {
        if (part.path("text").isTextual() && !part.path("thought").asBoolean(false)) {
          sb.append(part.path("text").asText());
        }
      }
      return sb.toString();
    }
  };

  /**
   * The text of a string or block-array content, blocks concatenated as they are (a client that streamed them joins
   * them so); null when a block is a {@code tool_use}. A missing or null content is "".
   */
  private static String concat(JsonNode c) {
    if (c == null || c.isNull()) {
      return "";
    }
    if (c.isTextual()) {
      return c.asText();
    }
    if (!c.isArray()) {
      return null;
    }
    StringBuilder sb = new StringBuilder();
    for (JsonNode b : c) {
      if ("tool_use".equals(b.path("type").asText())) {
        return null;
      }
      JsonNode t = b.get("text");
      if (t != null && t.isTextual()) {
        sb.append(t.asText());
      }
    }
    return sb.toString();
  }
}
