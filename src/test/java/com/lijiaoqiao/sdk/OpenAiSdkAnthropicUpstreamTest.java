package com.lijiaoqiao.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import com.lijiaoqiao.conformance.TwoDialectGatewayAccess;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionToolChoiceOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The official OpenAI Java SDK gets correct answers, streams included, from a model on an Anthropic upstream. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenAiSdkAnthropicUpstreamTest {
  static final String MODEL = "anthropic/chat";
  TwoDialectGatewayAccess gw;
  OpenAIClient client;

  @BeforeAll
  void start() {
    gw = new TwoDialectGatewayAccess();
    client = OpenAIOkHttpClient.builder().baseUrl(gw.root() + "/v1").apiKey(gw.apiKey()).maxRetries(0).build();
  }

  @AfterAll
  void stop() {
    client.close();
    gw.close();
  }

  @Test
  void nonStreaming() {
    ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder()
        .model(MODEL).addSystemMessage("Be brief.").addUserMessage("Say hello").build());
    assertThat(c.model()).isEqualTo(MODEL);
    assertThat(c.choices().get(0).message().content()).get().asString().isNotBlank();
    assertThat(c.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    assertThat(c.usage().get().completionTokens()).isEqualTo(40);
    assertThat(c.usage().get().promptTokens()).isPositive();
  }

  @Test
  void streamingWithUsageMatchesNonStreaming() {
    ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model(MODEL)
        .addUserMessage("stream please").maxCompletionTokens(12)
        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
    ChatCompletion whole = client.chat().completions().create(params);
    ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
    ChatCompletionChunk[] last = new ChatCompletionChunk[1];
    try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(params)) {
      s.stream().forEach(ch -> {
        acc.accumulate(ch);
        last[0] = ch;
      });
    }
    ChatCompletion streamed = acc.chatCompletion();
    assertThat(streamed.choices().get(0).message().content()).isEqualTo(whole.choices().get(0).message().content());
    assertThat(streamed.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.LENGTH);
    assertThat(last[0].usage()).isPresent();
    assertThat(last[0].usage().get().completionTokens()).isEqualTo(12);
  }

  @Test
  void toolsStreamedAndNot() {
    ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model(MODEL)
        .addUserMessage("What is the weather in Paris today?")
        .addTool(ChatCompletionFunctionTool.builder().function(FunctionDefinition.builder().name("get_weather")
            .parameters(FunctionParameters.builder().putAdditionalProperty("type", JsonValue.from("object"))
                .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                .build()).build()).build())
        .toolChoice(ChatCompletionToolChoiceOption.Auto.REQUIRED).build();
    ChatCompletion c = client.chat().completions().create(params);
    assertThat(c.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
    List<com.openai.models.chat.completions.ChatCompletionMessageToolCall> calls =
        c.choices().get(0).message().toolCalls().orElseThrow();
    ChatCompletionMessageFunctionToolCall call = calls.get(0).asFunction();
    assertThat(call.function().name()).isEqualTo("get_weather");
    assertThat(call.function().arguments()).contains("Paris");

    ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
    try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(params)) {
      s.stream().forEach(acc::accumulate);
    }
    ChatCompletionMessageFunctionToolCall streamed = acc.chatCompletion().choices().get(0).message().toolCalls()
        .orElseThrow().get(0).asFunction();
    assertThat(streamed.id()).isEqualTo(call.id());
    assertThat(streamed.function().arguments()).isEqualTo(call.function().arguments());
  }
}
