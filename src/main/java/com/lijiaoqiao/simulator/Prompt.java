package com.lijiaoqiao.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.knuddels.jtokkit.api.Encoding;
import java.util.ArrayList;
import java.util.List;

/** What the dialect handlers extract from a request: token count, hash, last user text, tools. */
final class Prompt {
  final Encoding enc;
  int tokens;
  long hash = TextGen.SEED;
  String lastUser;
  /** Text of the tool result when the last message is a tool result, else null. */
  String toolResult;
  final List<Tools.Tool> tools = new ArrayList<>();
  String forcedTool;
  boolean toolsNone;
  boolean toolsRequired;
  /** Set when the request continues an answer (assistant prefill or the cut-off instruction), else null. */
  Continuation cont;

  Prompt(Encoding enc) {
    this.enc = enc;
  }

  void text(String s) {
    if (s == null || s.isEmpty()) {
      return;
    }
    tokens += TextGen.count(enc, s);
    hash = TextGen.hash(hash, s);
  }

  void sep(String marker) {
    hash = TextGen.hash(hash ^ 0x9e3779b97f4a7c15L, marker);
  }

  /** Number of tool calls to produce given the directives (0 = answer with text). */
  int toolCalls(Directives d) {
    if (tools.isEmpty() && forcedTool == null) {
      return 0;
    }
    if (toolsNone || tools.isEmpty()) {
      return 0;
    }
    if (d.toolCall > 0) {
      // One round of calls per turn: a tool's result is answered with text, so an agent's loop (Gemini CLI, Claude
      // Code, …) ends even when the directive comes with every request.
      return toolResult == null ? d.toolCall : 0;
    }
    return toolsRequired || forcedTool != null ? 1 : 0;
  }

  static String snippet(String s) {
    if (s == null) {
      return "";
    }
    String t = s.replaceAll("\\s+", " ").trim();
    return t.length() > 40 ? t.substring(0, 40) : t;
  }

  /** Text of a content field: a string, or the text parts of an array of blocks (extras counted via {@code other}). */
  static String contentText(JsonNode c) {
    if (c == null || c.isNull()) {
      return null;
    }
    if (c.isTextual()) {
      return c.asText();
    }
    if (c.isArray()) {
      StringBuilder sb = new StringBuilder();
      for (JsonNode part : c) {
        JsonNode t = part.get("text");
        if (t != null && t.isTextual()) {
          if (!sb.isEmpty()) {
            sb.append('\n');
          }
          sb.append(t.asText());
        } else if (part.has("content")) {
          String inner = contentText(part.get("content"));
          if (inner != null) {
            if (!sb.isEmpty()) {
              sb.append('\n');
            }
            sb.append(inner);
          }
        }
      }
      return sb.toString();
    }
    return c.toString();
  }

  /** Generated answer: words, capped by max tokens; mentions the tool result when the last message was one. */
  record Answer(String[] pieces, String text, int tokens, boolean capped) {}

  /** The dialect's message loop calls this before message {@code i}: a continuation remembers the prompt there. */
  void before(int i) {
    if (cont != null && cont.start == i) {
      cont.take(this);
    }
  }

  /** The hash a text answer is generated from: the prompt before the continuation messages, if any. */
  long answerHash() {
    return cont == null ? hash : cont.hash;
  }

  /** The last user text a text answer (Gemini's JSON output) draws on. */
  String answerUser() {
    return cont == null ? lastUser : cont.lastUser;
  }

  /** The text answer; for a continuation, what is left of the answer the conversation alone gets (see Continuation). */
  Answer answer(Directives d, int maxTokens, long salt) {
    if (cont == null) {
      return generate(hash, toolResult, d, maxTokens, salt);
    }
    return cont.apply(generate(cont.hash, cont.toolResult, d, maxTokens, salt), d, this);
  }

  /** A text answer already built from {@link #answerHash()} (Gemini's JSON output) turned into the continuation's. */
  Answer continued(Answer full, Directives d) {
    return cont == null ? full : cont.apply(full, d, this);
  }

  private Answer generate(long hash, String toolResult, Directives d, int maxTokens, long salt) {
    int n = d.tokens > 0 ? d.tokens : TextGen.DEFAULT_TOKENS;
    boolean capped = false;
    if (maxTokens >= 0 && maxTokens < n) {
      n = Math.max(1, maxTokens);
      capped = true;
    }
    String[] pieces = TextGen.pieces(hash ^ salt, n);
    if (toolResult != null && !capped) {
      String prefix = "Based on the tool result \"" + snippet(toolResult) + "\":";
      int pt = TextGen.count(enc, prefix);
      if (pt < n) {
        String[] p2 = new String[n - pt + 1];
        p2[0] = prefix;
        for (int i = 1; i < p2.length; i++) {
          p2[i] = i == 1 ? " " + pieces[0] : pieces[i - 1];
        }
        String text = TextGen.join(p2);
        return new Answer(p2, text, TextGen.count(enc, text), false);
      }
    }
    return new Answer(pieces, TextGen.join(pieces), n, capped);
  }
}
