package com.lijiaoqiao.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.UnauthorizedException;
import com.anthropic.errors.BadRequestException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolChoiceTool;
import com.anthropic.models.messages.ToolUseBlock;
import com.lijiaoqiao.conformance.TwoDialectGatewayAccess;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The official Anthropic Java SDK against the gateway, routed once to an Anthropic-dialect upstream and once to
 * an OpenAI-compatible one: non-stream, stream (every event collected and accumulated), tools, count_tokens.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AnthropicSdkAgainstGatewayTest {
  TwoDialectGatewayAccess gw;
  AnthropicClient client;

  @BeforeAll
  void start() {
    gw = new TwoDialectGatewayAccess();
    client = AnthropicOkHttpClient.builder().baseUrl(gw.root()).apiKey(gw.apiKey()).maxRetries(0).build();
  }

  @AfterAll
  void stop() {
    client.close();
    gw.close();
  }

  static final String ANTHROPIC_UP = "anthropic/chat";
  static final String OPENAI_UP = "openai-compatible/chat";

  @ParameterizedTest
  @ValueSource(strings = {ANTHROPIC_UP, OPENAI_UP})
  void nonStreaming(String model) {
    Message m = client.messages().create(MessageCreateParams.builder().model(model).maxTokens(256)
        .system("Be brief.").addUserMessage("Say hello to the gateway").build());
    assertThat(m.model().asString()).isNotBlank();
    assertThat(m.content()).isNotEmpty();
    assertThat(m.content().get(0).text()).get().extracting(t -> t.text()).asString().isNotBlank();
    assertThat(m.stopReason()).contains(StopReason.END_TURN);
    assertThat(m.usage().inputTokens()).isPositive();
    assertThat(m.usage().outputTokens()).isEqualTo(40);
  }

  @ParameterizedTest
  @ValueSource(strings = {ANTHROPIC_UP, OPENAI_UP})
  void streamingCollectsEveryEvent(String model) {
    MessageCreateParams params = MessageCreateParams.builder().model(model).maxTokens(256)
        .addUserMessage("Tell me a story").build();
    Message whole = client.messages().create(params);
    List<RawMessageStreamEvent> events = new ArrayList<>();
    MessageAccumulator acc = MessageAccumulator.create();
    try (StreamResponse<RawMessageStreamEvent> s = client.messages().createStreaming(params)) {
      s.stream().forEach(e -> {
        events.add(e);
        acc.accumulate(e);
      });
    }
    assertThat(events.get(0).isMessageStart()).isTrue();
    assertThat(events.get(events.size() - 1).isMessageStop()).isTrue();
    assertThat(events).anyMatch(RawMessageStreamEvent::isContentBlockStart);
    assertThat(events).anyMatch(RawMessageStreamEvent::isContentBlockDelta);
    assertThat(events).anyMatch(RawMessageStreamEvent::isContentBlockStop);
    assertThat(events).anyMatch(RawMessageStreamEvent::isMessageDelta);
    Message streamed = acc.message();
    assertThat(text(streamed)).isEqualTo(text(whole));
    assertThat(streamed.stopReason()).contains(StopReason.END_TURN);
    assertThat(streamed.usage().outputTokens()).isEqualTo(whole.usage().outputTokens());
  }

  @ParameterizedTest
  @ValueSource(strings = {ANTHROPIC_UP, OPENAI_UP})
  void tools(String model) {
    Tool weather = Tool.builder().name("get_weather").description("Weather in a city")
        .inputSchema(Tool.InputSchema.builder().properties(JsonValue.from(Map.of("city", Map.of("type", "string"))))
            .addRequired("city").build()).build();
    MessageCreateParams params = MessageCreateParams.builder().model(model).maxTokens(256)
        .addUserMessage("What is the weather in Paris today?").addTool(weather)
        .toolChoice(ToolChoiceTool.builder().name("get_weather").build()).build();
    Message m = client.messages().create(params);
    assertThat(m.stopReason()).contains(StopReason.TOOL_USE);
    ToolUseBlock call = m.content().stream().filter(ContentBlock::isToolUse).findFirst().orElseThrow().asToolUse();
    assertThat(call.name()).isEqualTo("get_weather");
    assertThat(call._input().toString()).contains("Paris");

    MessageAccumulator acc = MessageAccumulator.create();
    try (StreamResponse<RawMessageStreamEvent> s = client.messages().createStreaming(params)) {
      s.stream().forEach(acc::accumulate);
    }
    ToolUseBlock streamed = acc.message().content().stream().filter(ContentBlock::isToolUse).findFirst()
        .orElseThrow().asToolUse();
    assertThat(streamed.id()).isEqualTo(call.id());
    assertThat(streamed._input().toString()).contains("Paris");
  }

  @ParameterizedTest
  @ValueSource(strings = {ANTHROPIC_UP, OPENAI_UP})
  void countTokens(String model) {
    long small = client.messages().countTokens(MessageCountTokensParams.builder().model(model)
        .addUserMessage("hi").build()).inputTokens();
    long large = client.messages().countTokens(MessageCountTokensParams.builder().model(model)
        .system("You are a helpful assistant with a long system prompt about many things.")
        .addUserMessage("hi, please tell me about the weather in Paris and in Berlin").build()).inputTokens();
    assertThat(small).isPositive();
    assertThat(large).isGreaterThan(small);
  }

  @Test
  void modelsListInAnthropicsShape() {
    var page = client.models().list();
    assertThat(page.data()).extracting(m -> m.id()).contains(ANTHROPIC_UP, OPENAI_UP);
    assertThat(client.models().retrieve(ANTHROPIC_UP).id()).isEqualTo(ANTHROPIC_UP);
  }

  @Test
  void errorsAreSdkExceptions() {
    assertThatThrownBy(() -> client.messages().create(MessageCreateParams.builder().model("no-such-model")
        .maxTokens(10).addUserMessage("hi").build())).hasMessageContaining("no-such-model");
    AnthropicClient bad = AnthropicOkHttpClient.builder().baseUrl(gw.root()).apiKey("lgw-wrong").maxRetries(0).build();
    try {
      assertThatThrownBy(() -> bad.messages().create(MessageCreateParams.builder().model(ANTHROPIC_UP)
          .maxTokens(10).addUserMessage("hi").build())).isInstanceOf(UnauthorizedException.class);
    } finally {
      bad.close();
    }
    assertThatThrownBy(() -> client.messages().create(MessageCreateParams.builder().model(OPENAI_UP)
        .maxTokens(10).addUserMessage("hi").putAdditionalBodyProperty("top_k", JsonValue.from(5)).build())).isInstanceOf(BadRequestException.class)
        .hasMessageContaining("top_k");
  }

  private static String text(Message m) {
    StringBuilder sb = new StringBuilder();
    m.content().forEach(b -> b.text().ifPresent(t -> sb.append(t.text())));
    return sb.toString();
  }
}
