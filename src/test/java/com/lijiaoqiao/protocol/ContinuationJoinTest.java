package com.lijiaoqiao.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The seam of a rescued stream: what of the continuation reaches the client's encoder. */
class ContinuationJoinTest {
  static final String PRIOR = "The quick brown fox jumps over the lazy dog and then ";

  /** Feeds content chunks through a join into a chat continuation; returns the text the client gets after PRIOR. */
  static ContinuationJoin join(StringBuilder out, String prior) {
    return new ContinuationJoin(prior, TokenUsage.NONE, new ChatContinuationStream("m", false, prior));
  }

  static String content(String t) {
    return "{\"choices\":[{\"index\":0,\"delta\":{\"content\":" + Json.string(Json.F.textNode(t)) + "}}]}";
  }

  static String sent(ContinuationJoin j, String prior, String... chunks) {
    StringBuilder out = new StringBuilder();
    j.onEvent(null, "{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}", out);
    for (String c : chunks) j.onEvent(null, content(c), out);
    j.onEvent(null, "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}", out);
    j.onEvent(null, "[DONE]", out);
    j.finish(out);
    return j.answerSoFar() == null ? null : j.answerSoFar().toString().substring(prior.length());
  }

  @Test
  void aPlainContinuationPassesWhole() {
    ContinuationJoin j = join(null, PRIOR);
    assertThat(sent(j, PRIOR, "it ran ", "into the woods and was never seen again.")).isEqualTo("it ran into the woods and was never seen again.");
    assertThat(j.upstreamError()).isNull();
  }

  @Test
  void aRepeatedTailIsTrimmed() {
    ContinuationJoin j = join(null, PRIOR);
    assertThat(sent(j, PRIOR, "dog and then it ran", " into the woods and was never seen again.")).isEqualTo(" it ran into the woods and was never seen again."
        .substring(1).isEmpty() ? "" : "it ran into the woods and was never seen again.".replaceFirst("^", " ").substring(1));
  }

  @Test
  void whitespaceLeftOutOfAPrefillIsNotDoubled() {
    ContinuationJoin j = join(null, PRIOR); // PRIOR ends with a space
    assertThat(sent(j, PRIOR, " it ran into the woods and was never seen again at all.")).isEqualTo("it ran into the woods and was never seen again at all.");
  }

  @Test
  void anAnswerStartedOverWordForWordSkipsWhatTheClientHas() {
    ContinuationJoin j = join(null, PRIOR);
    assertThat(sent(j, PRIOR, PRIOR.substring(0, 30), PRIOR.substring(30) + "it ran away.")).isEqualTo("it ran away.");
  }

  @Test
  void anAnswerStartedOverAnotherWayIsRefusedAndNothingOfItIsSent() {
    ContinuationJoin j = join(null, PRIOR);
    StringBuilder out = new StringBuilder();
    j.onEvent(null, content("The quick brown fox jumps over the lazy dog, but this time the fox sat down and"), out);
    j.onEvent(null, content(" thought about it for a long while before doing anything at all, really."), out);
    j.onEvent(null, content(" More and more text that would otherwise be relayed to the client, for sure."), out);
    j.onEvent(null, content(" Still more text, so that the hold is certainly exceeded by now, surely."), out);
    assertThat(j.upstreamError()).contains("started the answer over");
    assertThat(out.toString()).doesNotContain("fox");
  }

  @Test
  void aToolCallInAContinuationIsRefused() {
    ContinuationJoin j = join(null, PRIOR);
    StringBuilder out = new StringBuilder();
    j.onEvent(null, "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c\",\"function\":{\"name\":\"f\"}}]}}]}", out);
    assertThat(j.upstreamError()).contains("tool");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void theUsageShownCoversBothParts() {
    ContinuationJoin j = new ContinuationJoin(PRIOR, new TokenUsage(100, 12, 0, true),
        new ChatContinuationStream("m", true, PRIOR));
    StringBuilder out = new StringBuilder();
    j.onEvent(null, content("it ran away and the story was over for good, the end of it."), out);
    j.onEvent(null, "{\"choices\":[],\"usage\":{\"prompt_tokens\":130,\"completion_tokens\":20}}", out);
    j.onEvent(null, "[DONE]", out);
    j.finish(out);
    assertThat(out.toString()).contains("\"prompt_tokens\":230", "\"completion_tokens\":32").endsWith("data: [DONE]\n\n");
  }
}
