package com.lijiaoqiao.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimulatorOpenAiRawTest extends SimulatorTestBase {
  static final String TOOLS = "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":"
      + "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"},\"days\":{\"type\":\"integer\"},"
      + "\"metric\":{\"type\":\"boolean\"},\"unit\":{\"type\":\"string\",\"enum\":[\"celsius\",\"fahrenheit\"]}}}}},"
      + "{\"type\":\"function\",\"function\":{\"name\":\"get_time\",\"parameters\":{\"type\":\"object\",\"properties\":"
      + "{\"tz\":{\"type\":\"string\"}}}}}]";

  @Test
  void health() throws Exception {
    HttpResponse<String> r = http.send(req("/health").GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(json(r.body()).path("status").asText()).isEqualTo("ok");
  }

  @Test
  void missingAuthIs401InOpenAiShape() throws Exception {
    HttpResponse<String> r = post("/v1/chat/completions", chatBody("gpt-4o", "hi", false, null), "x-no-auth", "1");
    assertThat(r.statusCode()).isEqualTo(401);
    JsonNode e = json(r.body()).path("error");
    assertThat(e.path("type").asText()).isEqualTo("invalid_request_error");
    assertThat(e.path("code").asText()).isEqualTo("invalid_api_key");
    assertThat(e.has("param")).isTrue();
  }

  @Test
  void nonStreamShape() throws Exception {
    HttpResponse<String> r = post("/v1/chat/completions", chatBody("qwen-plus", "shape", false, null));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    JsonNode n = json(r.body());
    assertThat(n.path("object").asText()).isEqualTo("chat.completion");
    assertThat(n.path("model").asText()).isEqualTo("qwen-plus");
    assertThat(n.path("system_fingerprint").asText()).isEqualTo("fp_sim");
    JsonNode ch = n.path("choices").get(0);
    assertThat(ch.path("message").path("role").asText()).isEqualTo("assistant");
    assertThat(ch.path("message").get("refusal").isNull()).isTrue();
    assertThat(ch.get("logprobs").isNull()).isTrue();
    assertThat(n.path("usage").path("prompt_tokens_details").path("cached_tokens").asInt()).isZero();
    assertThat(n.path("usage").path("completion_tokens_details").path("reasoning_tokens").asInt()).isZero();
    // OpenAI-style prompt accounting: 3 per message + role + content + 3
    int expected = 3 + TextGen.CL100K.countTokensOrdinary("user") + TextGen.CL100K.countTokensOrdinary("shape") + 3;
    assertThat(n.path("usage").path("prompt_tokens").asInt()).isEqualTo(expected);
  }

  @Test
  void determinism() throws Exception {
    String a = json(post("/v1/chat/completions", chatBody("gpt-4o", "same prompt", false, null)).body())
        .path("choices").get(0).path("message").path("content").asText();
    String b = json(post("/v1/chat/completions", chatBody("gpt-4o", "same prompt", false, null)).body())
        .path("choices").get(0).path("message").path("content").asText();
    String c = json(post("/v1/chat/completions", chatBody("gpt-4o", "other prompt", false, null)).body())
        .path("choices").get(0).path("message").path("content").asText();
    assertThat(a).isEqualTo(b).isNotEqualTo(c);
    String streamed = chatText(post("/v1/chat/completions", chatBody("gpt-4o", "same prompt", true, null)).body());
    assertThat(streamed).isEqualTo(a);
  }

  @Test
  void streamShapeAndChunksDirective() throws Exception {
    HttpResponse<String> r = post("/v1/chat/completions", chatBody("gpt-4o-mini", "chunky", true,
        "\"stream_options\":{\"include_usage\":true}"), "x-ljq-sim", "chunks=3; tokens=9");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("text/event-stream");
    List<String> data = dataLines(r.body());
    // role + 3 content + finish + usage + [DONE]
    assertThat(data).hasSize(7);
    assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
    JsonNode first = json(data.get(0));
    assertThat(first.path("object").asText()).isEqualTo("chat.completion.chunk");
    assertThat(first.path("choices").get(0).path("delta").path("role").asText()).isEqualTo("assistant");
    assertThat(first.path("choices").get(0).path("delta").path("content").asText()).isEmpty();
    assertThat(json(data.get(4)).path("choices").get(0).path("finish_reason").asText()).isEqualTo("stop");
    JsonNode usage = json(data.get(5));
    assertThat(usage.path("choices").isEmpty()).isTrue();
    assertThat(usage.path("usage").path("completion_tokens").asInt()).isEqualTo(9);
  }

  @Test
  void toolCallsNonStreamAndStream() throws Exception {
    String body = chatBody("gpt-4o-mini", "What is the weather in Paris?", false, TOOLS + ",\"tool_choice\":\"required\"");
    JsonNode n = json(post("/v1/chat/completions", body).body());
    JsonNode ch = n.path("choices").get(0);
    assertThat(ch.path("finish_reason").asText()).isEqualTo("tool_calls");
    assertThat(ch.path("message").get("content").isNull()).isTrue();
    JsonNode call = ch.path("message").path("tool_calls").get(0);
    assertThat(call.path("id").asText()).startsWith("call_");
    assertThat(call.path("type").asText()).isEqualTo("function");
    assertThat(call.path("function").path("name").asText()).isEqualTo("get_weather");
    String args = call.path("function").path("arguments").asText();
    assertThat(json(args).toString()).isEqualTo("{\"city\":\"Paris\",\"days\":42,\"metric\":true,\"unit\":\"celsius\"}");

    String streamBody = chatBody("gpt-4o-mini", "What is the weather in Paris?", true, TOOLS + ",\"tool_choice\":\"required\"");
    List<String> data = dataLines(post("/v1/chat/completions", streamBody).body());
    JsonNode start = json(data.get(1)).path("choices").get(0).path("delta").path("tool_calls").get(0);
    assertThat(start.path("index").asInt()).isZero();
    assertThat(start.path("id").asText()).isEqualTo(call.path("id").asText());
    assertThat(start.path("type").asText()).isEqualTo("function");
    assertThat(start.path("function").path("name").asText()).isEqualTo("get_weather");
    assertThat(start.path("function").path("arguments").asText()).isEmpty();
    StringBuilder sb = new StringBuilder();
    int fragments = 0;
    for (String d : data.subList(2, data.size() - 1)) {
      JsonNode tc = json(d).path("choices").get(0).path("delta").path("tool_calls");
      if (tc.isArray()) {
        sb.append(tc.get(0).path("function").path("arguments").asText());
        fragments++;
      }
    }
    assertThat(fragments).isGreaterThan(1);
    assertThat(sb.toString()).isEqualTo(args);
    assertThat(json(data.get(data.size() - 2)).path("choices").get(0).path("finish_reason").asText())
        .isEqualTo("tool_calls");
  }

  @Test
  void toolCallDirectiveParallelForcedAndNone() throws Exception {
    JsonNode n = json(post("/v1/chat/completions", chatBody("gpt-4o", "weather and time", false, TOOLS),
        "x-ljq-sim", "tool_call=2").body());
    JsonNode calls = n.path("choices").get(0).path("message").path("tool_calls");
    assertThat(calls).hasSize(2);
    assertThat(calls.get(0).path("function").path("name").asText()).isEqualTo("get_weather");
    assertThat(calls.get(1).path("function").path("name").asText()).isEqualTo("get_time");
    assertThat(calls.get(0).path("id").asText()).isNotEqualTo(calls.get(1).path("id").asText());

    JsonNode forced = json(post("/v1/chat/completions", chatBody("gpt-4o", "time?", false,
        TOOLS + ",\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_time\"}}")).body());
    assertThat(forced.path("choices").get(0).path("message").path("tool_calls").get(0).path("function").path("name").asText())
        .isEqualTo("get_time");

    JsonNode none = json(post("/v1/chat/completions", chatBody("gpt-4o", "no tools", false,
        TOOLS + ",\"tool_choice\":\"none\""), "x-ljq-sim", "tool_call=1").body());
    assertThat(none.path("choices").get(0).path("finish_reason").asText()).isEqualTo("stop");
    assertThat(none.path("choices").get(0).path("message").path("content").asText()).isNotBlank();
  }

  /** Shell- and agent-style tools as coding agents declare them: one required field, optional knobs. */
  static final String AGENT_TOOLS = "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"exec_command\",\"parameters\":"
      + "{\"type\":\"object\",\"properties\":{\"cmd\":{\"type\":\"string\"},\"workdir\":{\"type\":\"string\"},"
      + "\"tty\":{\"type\":\"boolean\"},\"yield_time_ms\":{\"type\":\"number\"}},\"required\":[\"cmd\"]}}},"
      + "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\","
      + "\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}}}]";

  static JsonNode firstCall(JsonNode chat) {
    return chat.path("choices").get(0).path("message").path("tool_calls").path(0);
  }

  /**
   * With tool_choice auto (what every agent sends) a tool is called when the user's turn asks for one — names it,
   * or says "tool" — so demo agents run their tool loop; the turn after the tool result is text, so loops end.
   */
  @Test
  void autoToolChoiceCallsTheToolTheUserAsksFor() throws Exception {
    JsonNode named = json(post("/v1/chat/completions", chatBody("gpt-4o-mini",
        "What is the weather in Paris? Use get_weather.", false, AGENT_TOOLS + ",\"tool_choice\":\"auto\"")).body());
    assertThat(named.at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");
    assertThat(firstCall(named).at("/function/name").asText()).isEqualTo("get_weather");
    assertThat(firstCall(named).at("/function/arguments").asText()).isEqualTo("{\"city\":\"Paris\"}");

    // "tool" alone: the first tool; a `backquoted` span is the string value; only required fields are filled.
    JsonNode shell = post("/v1/chat/completions", chatBody("gpt-4o-mini",
        "Use your shell tool to run `echo hi > out.txt`", true, AGENT_TOOLS)).body().lines()
        .filter(l -> l.startsWith("data: {")).map(l -> json(l.substring(6)))
        .filter(j -> j.at("/choices/0/delta/tool_calls/0/function/name").isTextual()).findFirst().orElseThrow();
    assertThat(shell.at("/choices/0/delta/tool_calls/0/function/name").asText()).isEqualTo("exec_command");
    JsonNode whole = json(post("/v1/chat/completions", chatBody("gpt-4o-mini",
        "Use your shell tool to run `echo hi > out.txt`", false, AGENT_TOOLS)).body());
    assertThat(firstCall(whole).at("/function/arguments").asText()).isEqualTo("{\"cmd\":\"echo hi > out.txt\"}");

    // No ask, tool_choice none, or the turn ends with the tool's result: text.
    for (String body : new String[] {
        chatBody("gpt-4o-mini", "Say hello", false, AGENT_TOOLS),
        chatBody("gpt-4o-mini", "Use get_weather for Paris", false, AGENT_TOOLS + ",\"tool_choice\":\"none\""),
        "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"Use get_weather for Paris\"},"
            + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\","
            + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"{}\"}}]},"
            + "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"sunny\"},"
            + "{\"role\":\"system\",\"content\":\"a note between turns\"}]," + AGENT_TOOLS + "}"}) {
      JsonNode n = json(post("/v1/chat/completions", body).body());
      assertThat(n.at("/choices/0/finish_reason").asText()).as(body).isEqualTo("stop");
    }
  }

  /** Structured outputs (the AI SDK's generateObject, `response_format` json_schema): the answer is JSON of the schema. */
  @Test
  void aJsonSchemaResponseFormatIsAnsweredWithJsonOfTheSchema() throws Exception {
    String rf = "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"person\",\"strict\":true,"
        + "\"schema\":{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},\"age\":{\"type\":\"number\"}},"
        + "\"required\":[\"name\",\"age\"],\"additionalProperties\":false}}}";
    JsonNode n = json(post("/v1/chat/completions", chatBody("gpt-4o-mini", "Invent a person called Ada", false, rf)).body());
    String content = n.at("/choices/0/message/content").asText();
    assertThat(json(content).toString()).isEqualTo("{\"name\":\"Ada\",\"age\":42}");
    assertThat(n.at("/usage/completion_tokens").asInt()).isPositive();
    StringBuilder streamed = new StringBuilder();
    for (String d : dataLines(post("/v1/chat/completions", chatBody("gpt-4o-mini", "Invent a person called Ada", true, rf)).body())) {
      if (!d.equals("[DONE]")) streamed.append(json(d).at("/choices/0/delta/content").asText(""));
    }
    assertThat(streamed.toString()).isEqualTo(content);
    JsonNode obj = json(post("/v1/chat/completions", chatBody("gpt-4o-mini", "json please", false,
        "\"response_format\":{\"type\":\"json_object\"}")).body());
    assertThat(json(obj.at("/choices/0/message/content").asText()).isObject()).isTrue();
  }

  @Test
  void toolResultInHistory() throws Exception {
    String body = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"weather in Paris?\"},"
        + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\",\"function\":"
        + "{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]},"
        + "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"sunny 21C\"}]," + TOOLS + "}";
    JsonNode n = json(post("/v1/chat/completions", body).body());
    assertThat(n.path("choices").get(0).path("finish_reason").asText()).isEqualTo("stop");
    assertThat(n.path("choices").get(0).path("message").path("content").asText()).contains("sunny 21C");
  }

  @Test
  void legacyCompletions() throws Exception {
    JsonNode n = json(post("/v1/completions", "{\"model\":\"gpt-4o-mini\",\"prompt\":\"Once upon\",\"max_tokens\":5}").body());
    assertThat(n.path("object").asText()).isEqualTo("text_completion");
    assertThat(n.path("choices").get(0).path("finish_reason").asText()).isEqualTo("length");
    assertThat(n.path("usage").path("completion_tokens").asInt()).isEqualTo(5);
    HttpResponse<String> s = post("/v1/completions", "{\"model\":\"gpt-4o-mini\",\"prompt\":[\"a\",\"b\"],\"stream\":true,"
        + "\"stream_options\":{\"include_usage\":true}}", "x-ljq-sim", "tokens=4");
    List<String> data = dataLines(s.body());
    assertThat(data).hasSize(4 + 1 + 1 + 1);
    assertThat(json(data.get(0)).path("object").asText()).isEqualTo("text_completion");
    assertThat(json(data.get(5)).path("usage").path("completion_tokens").asInt()).isEqualTo(4);
    assertThat(data.get(6)).isEqualTo("[DONE]");
  }

  @Test
  void embeddingsBase64AndTokenArrays() throws Exception {
    JsonNode f = json(post("/v1/embeddings", "{\"model\":\"text-embedding-3-small\",\"input\":\"abc\",\"dimensions\":8}").body());
    JsonNode b = json(post("/v1/embeddings",
        "{\"model\":\"text-embedding-3-small\",\"input\":\"abc\",\"dimensions\":8,\"encoding_format\":\"base64\"}").body());
    ByteBuffer bb = ByteBuffer.wrap(Base64.getDecoder().decode(b.path("data").get(0).path("embedding").asText()))
        .order(ByteOrder.LITTLE_ENDIAN);
    assertThat(bb.remaining()).isEqualTo(32);
    for (int i = 0; i < 8; i++) {
      assertThat(bb.getFloat()).isEqualTo(f.path("data").get(0).path("embedding").get(i).floatValue());
    }
    JsonNode t = json(post("/v1/embeddings", "{\"model\":\"text-embedding-3-large\",\"input\":[[1,2,3],[4,5]]}").body());
    assertThat(t.path("data")).hasSize(2);
    assertThat(t.path("data").get(1).path("embedding")).hasSize(3072);
    assertThat(t.path("usage").path("prompt_tokens").asInt()).isEqualTo(5);
    assertThat(t.path("usage").path("total_tokens").asInt()).isEqualTo(5);
  }

  @Test
  void modelsEndpoints() throws Exception {
    JsonNode l = json(get("/v1/models").body());
    assertThat(l.path("object").asText()).isEqualTo("list");
    assertThat(l.path("data")).hasSize(SimCatalog.models().size());
    JsonNode m = json(get("/v1/models/gpt-4.1").body());
    assertThat(m.path("object").asText()).isEqualTo("model");
    assertThat(m.path("owned_by").asText()).isEqualTo("openai");
    assertThat(SimCatalog.find("text-embedding-3-large")).get().extracting(SimModel::kind).isEqualTo("embedding");
  }

  @Test
  void unknownDirectiveIs400NamingTheKey() throws Exception {
    HttpResponse<String> r = post("/v1/chat/completions", chatBody("gpt-4o", "x", false, null), "x-ljq-sim", "latenci=5");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r.body()).path("error").path("message").asText()).contains("latenci");
    HttpResponse<String> r2 = post("/v1/chat/completions", chatBody("gpt-4o::faul=500", "x", false, null));
    assertThat(r2.statusCode()).isEqualTo(400);
    assertThat(json(r2.body()).path("error").path("message").asText()).contains("faul");
    HttpResponse<String> r3 = post("/v1/messages", anthBody("x", false, null), "x-api-key", "k", "x-ljq-sim", "fault=nope");
    assertThat(r3.statusCode()).isEqualTo(400);
    assertThat(json(r3.body()).path("type").asText()).isEqualTo("error");
    assertThat(json(r3.body()).path("error").path("message").asText()).contains("nope");
  }

  @Test
  void headerWinsOverSuffix() throws Exception {
    JsonNode n = json(post("/v1/chat/completions", chatBody("gpt-4o::tokens=3,fault=500", "x", false, null),
        "x-ljq-sim", "fault=no_done;tokens=6").body());
    assertThat(n.path("usage").path("completion_tokens").asInt()).isEqualTo(6);
  }

  @Test
  void latencyDirectiveDelays() throws Exception {
    long t0 = System.nanoTime();
    HttpResponse<String> r = post("/v1/chat/completions", chatBody("gpt-4o", "slow", true, null),
        "x-ljq-sim", "latency=150,ttft=100,gap=5,tokens=4");
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(ms).isGreaterThanOrEqualTo(250);
    assertThat(chatText(r.body())).isNotEmpty();
  }
}
