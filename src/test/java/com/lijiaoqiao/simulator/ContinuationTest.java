package com.lijiaoqiao.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.lijiaoqiao.simulator.ContinuationClient.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Continuation semantics (mid-stream rescue): assistant prefill and the cut-off instruction answer the rest of the
 * answer the conversation gets, in every dialect, stream and non-stream; the prefill / continue directives.
 */
class ContinuationTest extends SimulatorTestBase {
  static final String INSTRUCTION = "Your previous answer was cut off. Continue it exactly where it stopped: do not "
      + "repeat anything already written and add nothing before the continuation; output only the rest of the answer.";
  /** A multi-turn conversation: an assistant message in the middle is ordinary history. */
  static final String[][] CONVO = {{"user", "Tell me about rivers"}, {"assistant", "Rivers flow to the sea."},
      {"user", "And the bridges over them?"}};

  static Stream<Arguments> cases() {
    return Stream.of(ContinuationClient.values()).flatMap(c -> Stream.of(Arguments.of(c, false), Arguments.of(c, true)));
  }

  static List<String> convo(ContinuationClient c) {
    List<String> out = new ArrayList<>();
    for (String[] m : CONVO) {
      out.add(m[0].equals("user") ? c.user(m[1]) : c.assistant(m[1]));
    }
    return out;
  }

  static List<String> plus(List<String> msgs, String... more) {
    List<String> out = new ArrayList<>(msgs);
    out.addAll(List.of(more));
    return out;
  }

  /** The whole answer to the conversation, checked to be an ordinary complete one. */
  static Reply full(ContinuationClient c, String suffix, List<String> msgs, boolean stream) throws Exception {
    Reply r = c.call(suffix, null, msgs, stream, null);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.complete()).isTrue();
    assertThat(r.finish()).isEqualTo(c.stop);
    assertThat(r.text()).isNotEmpty();
    return r;
  }

  /** Where the tests cut T: nothing, mid first word, on a word boundary, after its space, mid word, all but one, all. */
  static List<Integer> cuts(String t) {
    int boundary = -1;
    for (int i = 0, spaces = 0; i < t.length(); i++) {
      if (t.charAt(i) == ' ' && ++spaces == 4) {
        boundary = i;
        break;
      }
    }
    assertThat(boundary).isPositive();
    return List.of(0, 2, boundary, boundary + 1, boundary + 3, t.length() - 1, t.length());
  }

  /** The reply continues T after P: exactly the remainder, its tokens, the same finish reason. */
  static void assertRest(ContinuationClient c, Reply r, String t, String p) {
    assertThat(r.status()).as("status for P=%s", p).isEqualTo(200);
    assertThat(r.text()).as("the rest after P=%s", p).isEqualTo(t.substring(p.length()));
    assertThat(p + r.text()).isEqualTo(t);
    assertThat(r.completion()).isEqualTo(TextGen.count(c.enc, r.text()));
    assertThat(r.finish()).isEqualTo(c.stop);
  }

  @ParameterizedTest(name = "{0} stream={1}")
  @MethodSource("cases")
  void prefillAnswersTheRest(ContinuationClient c, boolean stream) throws Exception {
    Reply whole = full(c, null, convo(c), stream);
    String t = whole.text();
    assertThat(whole.completion()).isEqualTo(40);
    for (int k : cuts(t)) {
      String p = t.substring(0, k);
      Reply r = c.call(null, null, plus(convo(c), c.assistant(p)), stream, null);
      assertRest(c, r, t, p);
      assertThat(r.prompt()).isEqualTo(whole.prompt() + c.messageTokens("assistant", p));
    }
    Reply none = c.call(null, null, plus(convo(c), c.assistant(t)), stream, null);
    assertThat(none.text()).isEmpty();
    assertThat(none.completion()).isZero();
  }

  @ParameterizedTest(name = "{0} stream={1}")
  @MethodSource("cases")
  void instructionAnswersTheRest(ContinuationClient c, boolean stream) throws Exception {
    Reply whole = full(c, null, convo(c), stream);
    String t = whole.text();
    for (int k : cuts(t)) {
      String p = t.substring(0, k);
      Reply r = c.call(null, null, plus(convo(c), c.assistant(p), c.user(INSTRUCTION)), stream, null);
      assertRest(c, r, t, p);
      assertThat(r.prompt())
          .isEqualTo(whole.prompt() + c.messageTokens("assistant", p) + c.messageTokens("user", INSTRUCTION));
    }
  }

  @ParameterizedTest(name = "{0} stream={1}")
  @MethodSource("cases")
  void aPrefillFromAnotherAnswerRestarts(ContinuationClient c, boolean stream) throws Exception {
    String t = full(c, null, convo(c), stream).text();
    String other = "Completely different words";
    assertThat(c.call(null, null, plus(convo(c), c.assistant(other)), stream, null).text()).isEqualTo(t);
    assertThat(c.call(null, null, plus(convo(c), c.assistant(other), c.user(INSTRUCTION)), stream, null).text())
        .isEqualTo(t);
  }

  @ParameterizedTest(name = "{0} stream={1}")
  @MethodSource("cases")
  void blocksOfThePrefillAreJoined(ContinuationClient c, boolean stream) throws Exception {
    String t = full(c, null, convo(c), stream).text();
    Reply r = c.call(null, null, plus(convo(c), c.assistantParts(t.substring(0, 7), t.substring(7, 19))), stream, null);
    assertRest(c, r, t, t.substring(0, 19));
  }

  @ParameterizedTest(name = "{0} stream={1}")
  @MethodSource("cases")
  void prefillRefused(ContinuationClient c, boolean stream) throws Exception {
    String t = full(c, "tokens=12", convo(c), stream).text();
    String p = t.substring(0, 20);
    for (String[] how : new String[][] {{"prefill=refuse,tokens=12", null}, {"tokens=12", "prefill=refuse"}}) {
      Reply refused = c.call(how[0], how[1], plus(convo(c), c.assistant(p)), stream, null);
      assertThat(refused.status()).isEqualTo(400);
      assertThat(refused.errorType()).isEqualTo(c == ContinuationClient.GEMINI ? "INVALID_ARGUMENT" : "invalid_request_error");
      assertThat(refused.errorMessage()).isEqualTo(Continuation.PREFILL_REFUSED);
      Reply instructed = c.call(how[0], how[1], plus(convo(c), c.assistant(p), c.user(INSTRUCTION)), stream, null);
      assertRest(c, instructed, t, p);
    }
    // an ordinary request is not affected
    assertThat(c.call("prefill=refuse;tokens=12", null, convo(c), stream, null).text()).isEqualTo(t);
  }

  @ParameterizedTest(name = "{0} stream={1}")
  @MethodSource("cases")
  void continueRestart(ContinuationClient c, boolean stream) throws Exception {
    Reply whole = full(c, null, convo(c), stream);
    String p = whole.text().substring(0, 25);
    for (List<String> msgs : List.of(plus(convo(c), c.assistant(p)), plus(convo(c), c.assistant(p), c.user(INSTRUCTION)))) {
      Reply r = c.call("continue=restart", null, msgs, stream, null);
      assertThat(r.text()).isEqualTo(whole.text());
      assertThat(r.completion()).isEqualTo(whole.completion());
    }
  }

  @ParameterizedTest(name = "{0} stream={1}")
  @MethodSource("cases")
  void continueRepeatTail(ContinuationClient c, boolean stream) throws Exception {
    String t = full(c, null, convo(c), stream).text();
    for (int k : List.of(30, 5, 0)) {
      String p = t.substring(0, k);
      String expected = p.substring(Math.max(0, k - Continuation.TAIL)) + t.substring(k);
      for (List<String> msgs : List.of(plus(convo(c), c.assistant(p)), plus(convo(c), c.assistant(p), c.user(INSTRUCTION)))) {
        Reply r = c.call(null, "continue=repeat_tail", msgs, stream, null);
        assertThat(r.text()).isEqualTo(expected);
        assertThat(r.completion()).isEqualTo(TextGen.count(c.enc, expected));
      }
    }
  }

  /** The rescue: a stream cut on one upstream, continued by another that refuses prefill but takes the instruction. */
  @ParameterizedTest(name = "{0}")
  @EnumSource(ContinuationClient.class)
  void cutStreamRescuedByInstruction(ContinuationClient c) throws Exception {
    String t = full(c, null, convo(c), true).text();
    Reply cut = c.call("fault=cut,after=3", null, convo(c), true, null);
    assertThat(cut.complete()).isFalse();
    String p = cut.text();
    assertThat(p).isNotEmpty().isNotEqualTo(t);
    assertThat(t).startsWith(p);
    assertThat(c.call("prefill=refuse", null, plus(convo(c), c.assistant(p)), true, null).status()).isEqualTo(400);
    Reply rest = c.call("prefill=refuse", null, plus(convo(c), c.assistant(p), c.user(INSTRUCTION)), true, null);
    assertThat(p + rest.text()).isEqualTo(t);
    // and a continuation may itself be cut: its chunks are the rest's
    Reply again = c.call("fault=cut,after=2,chunks=5", null, plus(convo(c), c.assistant(p)), true, null);
    assertThat(again.complete()).isFalse();
    assertThat(t.substring(p.length())).startsWith(again.text());
    assertThat(again.text().length()).isGreaterThan(0);
  }

  @ParameterizedTest(name = "{0} stream={1}")
  @MethodSource("cases")
  void afterAToolResult(ContinuationClient c, boolean stream) throws Exception {
    String t = full(c, null, c.toolRound(), stream).text();
    assertThat(t).startsWith("Based on the tool result \"sunny, 21C\":");
    for (int k : List.of(10, 40, 45)) {
      assertRest(c, c.call(null, null, plus(c.toolRound(), c.assistant(t.substring(0, k))), stream, null), t,
          t.substring(0, k));
    }
  }

  @ParameterizedTest(name = "{0} stream={1}")
  @MethodSource("cases")
  void toolCallsAreNotContinued(ContinuationClient c, boolean stream) throws Exception {
    String tools = c.forcedTool();
    for (List<String> msgs : List.of(plus(convo(c), c.assistant("The weather")),
        plus(convo(c), c.assistant("The weather"), c.user(INSTRUCTION)))) {
      Reply r = c.call(null, null, msgs, stream, tools);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.toolCalls()).isEqualTo(1);
      assertThat(r.text()).isEmpty();
      assertThat(r.finish()).isEqualTo(c.toolStop);
    }
  }

  /** Ordinary multi-turn is hashed as before: every message, the middle assistant one and an old instruction too. */
  @ParameterizedTest(name = "{0} stream={1}")
  @MethodSource("cases")
  void multiTurnHashesEveryMessage(ContinuationClient c, boolean stream) throws Exception {
    List<String[]> turns = new ArrayList<>(List.of(CONVO));
    assertThat(full(c, null, convo(c), stream).text()).isEqualTo(expected(c, turns));
    List<String> msgs = plus(convo(c), c.assistant("Bridges"), c.user(INSTRUCTION), c.assistant("cross"), c.user("Go on"));
    turns.addAll(List.of(new String[][] {{"assistant", "Bridges"}, {"user", INSTRUCTION}, {"assistant", "cross"},
        {"user", "Go on"}}));
    assertThat(full(c, null, msgs, stream).text()).isEqualTo(expected(c, turns));
  }

  /** The answer as the dialect hashes a text conversation (role token + separator + text; Anthropic/Gemini: no role token). */
  static String expected(ContinuationClient c, List<String[]> turns) {
    Prompt p = new Prompt(c.enc);
    for (String[] m : turns) {
      String role = c == ContinuationClient.GEMINI && m[0].equals("assistant") ? "model" : m[0];
      if (c == ContinuationClient.OPENAI) {
        p.text(role);
      }
      p.sep(role);
      p.text(m[1]);
    }
    return TextGen.join(TextGen.pieces(p.hash, TextGen.DEFAULT_TOKENS));
  }

  @Test
  void geminiJsonOutputIsContinuedToo() throws Exception {
    ContinuationClient c = ContinuationClient.GEMINI;
    String json = "\"generationConfig\":{\"responseMimeType\":\"application/json\",\"responseJsonSchema\":{\"type\":"
        + "\"object\",\"properties\":{\"city\":{\"type\":\"string\"},\"days\":{\"type\":\"number\"}}}}";
    String t = c.call(null, null, convo(c), false, json).text();
    assertThat(json(t).has("city")).isTrue();
    for (boolean stream : new boolean[] {false, true}) {
      assertThat(c.call(null, null, plus(convo(c), c.assistant(t.substring(0, 9))), stream, json).text())
          .isEqualTo(t.substring(9));
    }
  }

  @Test
  void badDirectiveValues() throws Exception {
    ContinuationClient c = ContinuationClient.OPENAI;
    for (String bad : List.of("prefill=maybe", "continue=bogus")) {
      Reply r = c.call(bad, null, convo(c), false, null);
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.errorMessage()).contains("'" + bad.substring(0, bad.indexOf('=')) + "'");
    }
    assertThat(c.call("prefill=accept,continue=exact", null, convo(c), false, null).status()).isEqualTo(200);
  }
}
