package com.lijiaoqiao.responses;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.conformance.TwoDialectGatewayAccess;
import com.lijiaoqiao.testing.Http;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * POST /v1/responses routed to an Anthropic-kind upstream: Responses → chat view → Messages on the way up, and
 * Messages → chat → Responses on the way back (whole answers, streams, tool calls).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResponsesToAnthropicTest {
  static final String AN = "anthropic/chat";
  TwoDialectGatewayAccess gw;
  String url;

  @BeforeAll
  void start() {
    gw = new TwoDialectGatewayAccess();
    url = gw.root() + "/v1/responses";
  }

  @AfterAll
  void stop() {
    gw.close();
  }

  Http.Reply post(String json) {
    return Http.postJson(url, gw.apiKey(), json);
  }

  static final String TOOL = "{\"type\":\"function\",\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\","
      + "\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}}";

  @Test
  void wholeAnswer() {
    Http.Reply r = post("{\"model\":\"" + AN + "\",\"instructions\":\"Be brief.\",\"input\":\"Tell me about bridges\","
        + "\"max_output_tokens\":64,\"prompt_cache_key\":\"conv-1\",\"reasoning\":{\"effort\":\"high\"}}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    JsonNode j = r.json();
    assertThat(r.header("x-ljq-provider")).isEqualTo("up-anthropic");
    assertThat(r.header("x-ljq-dropped")).contains("prompt_cache_key", "reasoning.effort");
    assertThat(j.get("object").asText()).isEqualTo("response");
    assertThat(j.get("model").asText()).isEqualTo(AN);
    assertThat(j.at("/output/0/content/0/text").asText()).isNotBlank();
    assertThat(j.at("/usage/input_tokens").asLong()).isPositive();
    assertThat(j.at("/usage/output_tokens").asLong()).isPositive();
  }

  @Test
  void stream() {
    Http.Reply r = post("{\"model\":\"" + AN + "\",\"input\":\"Tell me about bridges\",\"stream\":true}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    List<ResponsesHttpTest.Event> ev = ResponsesHttpTest.events(r.body());
    List<String> names = ev.stream().map(ResponsesHttpTest.Event::name).toList();
    assertThat(names.get(0)).isEqualTo("response.created");
    assertThat(names).contains("response.output_text.delta");
    assertThat(names.get(names.size() - 1)).isEqualTo("response.completed");
    JsonNode done = ev.get(ev.size() - 1).data().get("response");
    StringBuilder deltas = new StringBuilder();
    ev.stream().filter(e -> e.name().equals("response.output_text.delta")).forEach(e -> deltas.append(e.data().get("delta").asText()));
    assertThat(done.at("/output/0/content/0/text").asText()).isEqualTo(deltas.toString());
    assertThat(done.at("/usage/output_tokens").asLong()).isPositive();
  }

  @Test
  void toolRoundTripBothWays() {
    Http.Reply first = post("{\"model\":\"" + AN + "\",\"tools\":[" + TOOL + "],\"tool_choice\":\"required\","
        + "\"input\":\"Weather in Paris?\",\"stream\":true}");
    assertThat(first.status()).as(first.body()).isEqualTo(200);
    List<ResponsesHttpTest.Event> ev = ResponsesHttpTest.events(first.body());
    assertThat(ev.stream().map(ResponsesHttpTest.Event::name)).contains("response.function_call_arguments.delta",
        "response.function_call_arguments.done");
    JsonNode done = ev.get(ev.size() - 1).data().get("response");
    JsonNode call = null;
    for (JsonNode item : done.get("output")) {
      if (item.get("type").asText().equals("function_call")) call = item;
    }
    assertThat(call).as(done.toString()).isNotNull();
    assertThat(call.get("name").asText()).isEqualTo("get_weather");
    String id = done.get("id").asText();
    Http.Reply second = post("{\"model\":\"" + AN + "\",\"tools\":[" + TOOL + "],\"previous_response_id\":\"" + id
        + "\",\"input\":[{\"type\":\"function_call_output\",\"call_id\":\"" + call.get("call_id").asText()
        + "\",\"output\":\"21C and sunny\"}]}");
    assertThat(second.status()).as(second.body()).isEqualTo(200);
    assertThat(second.json().at("/output/0/type").asText()).isEqualTo("message");
    assertThat(second.json().at("/output/0/content/0/text").asText()).isNotBlank();
  }
}
