package com.lijiaoqiao.responses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.TestGateway;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.responses.EasyInputMessage;
import com.openai.models.responses.FunctionTool;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseOutputItem;
import com.openai.models.responses.ResponseStatus;
import com.openai.models.responses.ResponseStreamEvent;
import com.openai.models.responses.ToolChoiceOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The official openai-java SDK's responses.* against the gateway (with the SDK's response validation on). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResponsesSdkTest {
  TestGateway gw;
  OpenAIClient client;

  @BeforeAll
  void start() {
    gw = TestGateway.start(Databases.Kind.H2);
    client = OpenAIOkHttpClient.builder().baseUrl(gw.baseUrl()).apiKey(gw.apiKey).maxRetries(0)
        .responseValidation(true).build();
  }

  @AfterAll
  void stop() {
    client.close();
    gw.close();
  }

  static String text(Response r) {
    StringBuilder sb = new StringBuilder();
    for (ResponseOutputItem item : r.output()) {
      item.message().ifPresent(m -> m.content().forEach(c -> c.outputText().ifPresent(t -> sb.append(t.text()))));
    }
    return sb.toString();
  }

  static FunctionTool weatherTool() {
    return FunctionTool.builder().name("get_weather").description("Weather for a city").strict(false)
        .parameters(FunctionTool.Parameters.builder()
            .putAdditionalProperty("type", JsonValue.from("object"))
            .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
            .putAdditionalProperty("required", JsonValue.from(List.of("city")))
            .build())
        .build();
  }

  @Test
  void createNonStreaming() {
    Response r = client.responses().create(ResponseCreateParams.builder().model("gpt-4o-mini")
        .instructions("Be brief.").input("Say hello to the gateway").build());
    assertThat(r.id()).startsWith("resp_").hasSizeGreaterThan(40);
    assertThat(r.status()).contains(ResponseStatus.COMPLETED);
    assertThat(text(r)).isNotBlank();
    assertThat(r.usage().get().outputTokens()).isPositive();
    assertThat(r.usage().get().totalTokens())
        .isEqualTo(r.usage().get().inputTokens() + r.usage().get().outputTokens());
    assertThat(r.model().toString()).contains("gpt-4o-mini");
  }

  @Test
  void maxOutputTokensEndsIncomplete() {
    Response r = client.responses().create(ResponseCreateParams.builder().model("gpt-4o-mini")
        .input("Write a long story about a lighthouse keeper").maxOutputTokens(5).build());
    assertThat(r.status()).contains(ResponseStatus.INCOMPLETE);
    assertThat(r.incompleteDetails().get().reason().get().asString()).isEqualTo("max_output_tokens");
    assertThat(r.usage().get().outputTokens()).isEqualTo(5);
  }

  @Test
  void streaming() {
    List<ResponseStreamEvent> events = new ArrayList<>();
    try (StreamResponse<ResponseStreamEvent> s = client.responses().createStreaming(ResponseCreateParams.builder()
        .model("gpt-4o-mini").input("stream please").build())) {
      s.stream().forEach(events::add);
    }
    StringBuilder deltas = new StringBuilder();
    events.forEach(e -> e.outputTextDelta().ifPresent(d -> deltas.append(d.delta())));
    assertThat(events.get(0).isCreated()).isTrue();
    assertThat(deltas.toString()).isNotBlank();
    ResponseStreamEvent last = events.get(events.size() - 1);
    assertThat(last.isCompleted()).isTrue();
    Response done = last.asCompleted().response();
    assertThat(text(done)).isEqualTo(deltas.toString());
    assertThat(done.usage().get().outputTokens()).isPositive();
    assertThat(events.stream().filter(ResponseStreamEvent::isOutputTextDone).findFirst().get().asOutputTextDone().text())
        .isEqualTo(deltas.toString());
  }

  @Test
  void functionToolRoundTrip() {
    EasyInputMessage ask = EasyInputMessage.builder().role(EasyInputMessage.Role.USER)
        .content("What is the weather in Paris?").build();
    Response first = client.responses().create(ResponseCreateParams.builder().model("gpt-4o-mini")
        .addTool(weatherTool()).toolChoice(ToolChoiceOptions.REQUIRED)
        .inputOfResponse(List.of(ResponseInputItem.ofEasyInputMessage(ask))).store(false).build());
    ResponseFunctionToolCall call = first.output().stream().flatMap(i -> i.functionCall().stream()).findFirst()
        .orElseThrow(() -> new AssertionError("no function call in " + first.output()));
    assertThat(call.name()).isEqualTo("get_weather");
    assertThat(call.callId()).isNotBlank();
    assertThat(call.arguments()).contains("city");

    Response second = client.responses().create(ResponseCreateParams.builder().model("gpt-4o-mini")
        .addTool(weatherTool()).inputOfResponse(List.of(ResponseInputItem.ofEasyInputMessage(ask),
            ResponseInputItem.ofFunctionCall(call),
            ResponseInputItem.ofFunctionCallOutput(ResponseInputItem.FunctionCallOutput.builder()
                .callId(call.callId()).output("{\"temperature_c\": 21}").build())))
        .build());
    assertThat(second.status()).contains(ResponseStatus.COMPLETED);
    assertThat(text(second)).isNotBlank();
    assertThat(second.output()).allSatisfy(i -> assertThat(i.isFunctionCall()).isFalse());
  }

  @Test
  void previousResponseIdAcrossTwoTurnsThenRetrieveAndDelete() {
    Response first = client.responses().create(ResponseCreateParams.builder().model("gpt-4o-mini")
        .input("My name is Ada.").build());
    Response second = client.responses().create(ResponseCreateParams.builder().model("gpt-4o-mini")
        .previousResponseId(first.id()).input("What is my name?").build());
    assertThat(second.previousResponseId()).contains(first.id());
    assertThat(text(second)).isNotBlank();

    Response again = client.responses().retrieve(second.id());
    assertThat(again.id()).isEqualTo(second.id());
    assertThat(text(again)).isEqualTo(text(second));

    client.responses().delete(second.id());
    assertThatThrownBy(() -> client.responses().retrieve(second.id())).isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> client.responses().create(ResponseCreateParams.builder().model("gpt-4o-mini")
        .previousResponseId(second.id()).input("and now?").build()))
        .isInstanceOf(BadRequestException.class).hasMessageContaining("previous_response_id");
    // The first turn is still there.
    assertThat(client.responses().retrieve(first.id()).id()).isEqualTo(first.id());
  }

  @Test
  void storeFalseIsNotKept() {
    Response r = client.responses().create(ResponseCreateParams.builder().model("gpt-4o-mini")
        .input("forget me").store(false).build());
    assertThatThrownBy(() -> client.responses().retrieve(r.id())).isInstanceOf(NotFoundException.class);
  }

  @Test
  void aBadKeyIsAnSdkAuthenticationError() {
    OpenAIClient bad = OpenAIOkHttpClient.builder().baseUrl(gw.baseUrl()).apiKey("lgw-wrong").maxRetries(0).build();
    try {
      assertThatThrownBy(() -> bad.responses().create(ResponseCreateParams.builder().model("gpt-4o-mini")
          .input("hi").build())).isInstanceOf(UnauthorizedException.class);
      assertThatThrownBy(() -> bad.responses().retrieve("resp_x")).isInstanceOf(UnauthorizedException.class);
    } finally {
      bad.close();
    }
  }
}
