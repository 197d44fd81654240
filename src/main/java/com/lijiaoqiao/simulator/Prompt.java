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
  /**
   * Text of the last message when it is the user's (no tool result in it), else null: with {@code tool_choice}
   * auto a tool is called only when this asks for one (see {@link #asksForTool}).
   */
  String userAsk;
  /**
   * The JSON schema of a structured-output request ({@code response_format} json_schema / json_object, Anthropic
   * {@code output_config.format}), or null: the answer is then a JSON value of that schema instead of words.
   */
  JsonNode format;

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
    if (toolsRequired || forcedTool != null) {
      return 1;
    }
    String asked = asksForTool();
    if (asked == null) {
      return 0;
    }
    forcedTool = asked;
    return 1;
  }

  private static final java.util.regex.Pattern REMINDER =
      java.util.regex.Pattern.compile("(?s)<system-reminder>.*?</system-reminder>");

  /**
   * With {@code tool_choice} auto, as a model would: when the user's last turn names one of the tools (a whole
   * word, any case; the first named wins) that tool is called, and when it only says "tool" the first tool is.
   * Text in {@code <system-reminder>} tags (Claude Code's context notes) does not count. A turn that ends with a
   * tool result is answered with text, so agent loops end.
   */
  String asksForTool() {
    if (userAsk == null || userAsk.isEmpty()) {
      return null;
    }
    String ask = REMINDER.matcher(userAsk).replaceAll(" ").toLowerCase(java.util.Locale.ROOT);
    String best = null;
    int bestAt = Integer.MAX_VALUE;
    for (Tools.Tool t : tools) {
      int at = wordAt(ask, t.name().toLowerCase(java.util.Locale.ROOT));
      if (at >= 0 && at < bestAt) {
        best = t.name();
        bestAt = at;
      }
    }
    if (best != null) {
      return best;
    }
    return wordAt(ask, "tool") >= 0 || wordAt(ask, "tools") >= 0 ? tools.get(0).name() : null;
  }

  /** Index of {@code word} in {@code text} as a whole word (not inside a longer identifier), or -1. */
  static int wordAt(String text, String word) {
    if (word.isEmpty()) {
      return -1;
    }
    for (int i = text.indexOf(word); i >= 0; i = text.indexOf(word, i + 1)) {
      int end = i + word.length();
      if ((i == 0 || !identChar(text.charAt(i - 1))) && (end == text.length() || !identChar(text.charAt(end)))) {
        return i;
      }
    }
    return -1;
  }

  private static boolean identChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '-';
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
    if (format != null) {
      String json = Tools.json(format, lastUser);
      String[] parts = TextGen.splitChars(json, d.chunks > 0 ? d.chunks : Math.max(2, Math.min(16, json.length() / 6)))
          .toArray(String[]::new);
      return new Answer(parts, json, TextGen.count(enc, json), false);
    }
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
