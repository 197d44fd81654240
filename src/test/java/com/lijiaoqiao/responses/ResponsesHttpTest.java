package com.lijiaoqiao.responses;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.access.KeyIssuer;
import com.lijiaoqiao.app.GatewayConfig;
import com.lijiaoqiao.billing.Money;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.Http;
import com.lijiaoqiao.testing.TestGateway;
import com.lijiaoqiao.usage.UsageRecord;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** POST /v1/responses on the wire: the event sequence, cuts, billing, keys, bounds, drops and tenants. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResponsesHttpTest {
  TestGateway gw;
  String url;

  @BeforeAll
  void start() {
    gw = TestGateway.start(Databases.Kind.H2, c -> {
      GatewayConfig.PriceSpec p = new GatewayConfig.PriceSpec();
      p.input = "0.15";
      p.output = "0.60";
      p.cachedInput = "0.075";
      c.billing.models.put("gpt-4o-mini", p);
    });
    gw.gateway.billing().credit(gw.tenantId, 1_000_000, "test-start-" + gw.tenantId, "start", null);
    url = gw.baseUrl() + "/responses";
  }

  @AfterAll
  void stop() {
    gw.close();
  }

  record Event(String name, JsonNode data) {}

  static List<Event> events(String body) {
    List<Event> out = new ArrayList<>();
    String name = null;
    for (String line : body.split("\n")) {
      if (line.startsWith("event: ")) name = line.substring(7);
      if (line.startsWith("data: ")) {
        try {
          out.add(new Event(name, Http.JSON.readTree(line.substring(6))));
        } catch (Exception e) {
          throw new AssertionError("not JSON: " + line, e);
        }
        name = null;
      }
    }
    return out;
  }

  Http.Reply post(String json, String... headers) {
    return Http.postJson(url, gw.apiKey, json, headers);
  }

  static void assertBad(Http.Reply r, String param) {
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    JsonNode err = r.json().get("error");
    assertThat(err.get("code").asText()).isEqualTo("COMMON_001");
    assertThat(err.get("message").asText()).as(r.body()).contains(param);
    assertThat(err.get("trace_id").asText()).isEqualTo(r.header("x-request-id"));
  }

  /** A JSON number of currency units, in micros (exactly: the text of the number, not a double). */
  static long micros(JsonNode n) {
    assertThat(n.isNumber()).as("usage.cost").isTrue();
    return new java.math.BigDecimal(n.asText()).movePointRight(6).longValueExact();
  }

  static UsageRecord usageRecord(TestGateway gw, String requestId) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      List<UsageRecord> found = gw.gateway.usage().findByRequestId(requestId);
      if (!found.isEmpty()) return found.get(0);
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
    throw new AssertionError("no usage record for " + requestId);
  }

  @Test
  void eventsAreNumberedAndTyped() {
    Http.Reply r = post("{\"model\":\"gpt-4o-mini\",\"input\":\"Tell me about bridges\",\"stream\":true}");
    List<Event> ev = events(r.body());
    List<String> names = ev.stream().map(Event::name).toList();
    assertThat(names.get(0)).isEqualTo("response.created");
    assertThat(names.get(1)).isEqualTo("response.in_progress");
    assertThat(names.get(2)).isEqualTo("response.output_item.added");
    assertThat(names.get(3)).isEqualTo("response.content_part.added");
    assertThat(names.get(4)).isEqualTo("response.output_text.delta");
    assertThat(names.subList(names.size() - 4, names.size())).containsExactly("response.output_text.done",
        "response.content_part.done", "response.output_item.done", "response.completed");
    for (int i = 0; i < ev.size(); i++) {
      assertThat(ev.get(i).data().get("type").asText()).isEqualTo(ev.get(i).name());
      assertThat(ev.get(i).data().get("sequence_number").asInt()).isEqualTo(i);
    }
    JsonNode done = ev.get(ev.size() - 1).data().get("response");
    assertThat(done.get("status").asText()).isEqualTo("completed");
    assertThat(done.get("id").asText()).isEqualTo(ev.get(0).data().at("/response/id").asText()).startsWith("resp_");
    // The charge shown is the one booked.
    long shown = micros(done.at("/usage/cost"));
    assertThat(usageRecord(gw, r.header("x-request-id")).costMicros()).isEqualTo(shown).isPositive();
    assertThat(done.at("/usage/output_tokens").asLong()).isPositive();
  }

  @Test
  void aStreamCutAfterTheFirstByteEndsWithResponseFailedAndNeverCompleted() {
    Http.Reply r = post("{\"model\":\"gpt-4o-mini\",\"input\":\"Tell me about bridges\",\"stream\":true}",
        "x-ljq-sim", "fault=cut,after=3");
    assertThat(r.status()).isEqualTo(200);
    List<Event> ev = events(r.body());
    List<String> names = ev.stream().map(Event::name).toList();
    assertThat(names).contains("response.output_text.delta").doesNotContain("response.completed");
    Event last = ev.get(ev.size() - 1);
    assertThat(last.name()).isEqualTo("response.failed");
    assertThat(last.data().at("/response/status").asText()).isEqualTo("failed");
    assertThat(last.data().at("/response/error/message").asText()).contains("PROVIDER_005");
    // What was relayed is still billed (in the usage record, as for chat streams).
    assertThat(usageRecord(gw, r.header("x-request-id")).outcome()).isNotEqualTo("ok");
  }

  @Test
  void wholeAnswerCostEqualsTheBillingRecord() {
    Http.Reply r = post("{\"model\":\"gpt-4o-mini\",\"input\":\"Tell me about bridges\",\"max_output_tokens\":50}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    JsonNode j = r.json();
    assertThat(j.get("object").asText()).isEqualTo("response");
    assertThat(j.at("/output/0/type").asText()).isEqualTo("message");
    assertThat(j.at("/output/0/content/0/type").asText()).isEqualTo("output_text");
    long header = Money.parse(r.header("x-ljq-cost"), true);
    assertThat(micros(j.at("/usage/cost"))).isEqualTo(header);
    UsageRecord rec = usageRecord(gw, r.header("x-request-id"));
    assertThat(rec.costMicros()).isEqualTo(header).isPositive();
    assertThat(rec.completionTokens()).isEqualTo(j.at("/usage/output_tokens").asLong());
  }

  @Test
  void aMissingOrBadKeyIs401AndAGoodKeyOnAnUnknownPathIs404() {
    assertThat(Http.postJson(url, null, "{\"model\":\"gpt-4o-mini\",\"input\":\"hi\"}").status()).isEqualTo(401);
    assertThat(Http.postJson(url, "lgw-wrong", "{\"model\":\"gpt-4o-mini\",\"input\":\"hi\"}").status()).isEqualTo(401);
    assertThat(Http.get(gw.baseUrl() + "/responses/resp_abc", null).status()).isEqualTo(401);
    Http.Reply unknown = Http.postJson(gw.baseUrl() + "/assistants", null, "{}");
    assertThat(unknown.status()).isEqualTo(401);
    assertThat(unknown.json().at("/error/code").asText()).isEqualTo("AUTH_001");
    assertThat(Http.get(gw.baseUrl() + "/no/such/thing", "lgw-wrong").status()).isEqualTo(401);
    Http.Reply known = Http.get(gw.baseUrl() + "/no/such/thing", gw.apiKey);
    assertThat(known.status()).isEqualTo(404);
    assertThat(known.json().at("/error/code").asText()).isEqualTo("COMMON_002");
    assertThat(Http.get(gw.baseUrl() + "/responses/resp_nope", gw.apiKey).status()).isEqualTo(404);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"input\":\"hi\"}|model",
      "{\"model\":\"gpt-4o-mini\"}|input",
      "{\"model\":\"gpt-4o-mini\",\"input\":42}|input",
      "{\"model\":\"gpt-4o-mini\",\"input\":[]}|input",
      "{\"model\":\"gpt-4o-mini\",\"input\":[{\"role\":\"robot\",\"content\":\"x\"}]}|input[0].role",
      "{\"model\":\"gpt-4o-mini\",\"input\":[{\"type\":\"message\",\"role\":\"user\",\"content\":[{\"type\":\"input_file\"}]}]}|input[0].content[0].type",
      "{\"model\":\"gpt-4o-mini\",\"input\":[{\"type\":\"function_call\",\"name\":\"f\",\"arguments\":\"{}\"}]}|input[0].call_id",
      "{\"model\":\"gpt-4o-mini\",\"input\":[{\"type\":\"item_reference\",\"id\":\"x\"}]}|input[0].id",
      "{\"model\":\"gpt-4o-mini\",\"input\":\"hi\",\"max_output_tokens\":0}|max_output_tokens",
      "{\"model\":\"gpt-4o-mini\",\"input\":\"hi\",\"max_output_tokens\":\"9\"}|max_output_tokens",
      "{\"model\":\"gpt-4o-mini\",\"input\":\"hi\",\"temperature\":3}|temperature",
      "{\"model\":\"gpt-4o-mini\",\"input\":\"hi\",\"top_p\":-1}|top_p",
      "{\"model\":\"gpt-4o-mini\",\"input\":\"hi\",\"stream\":\"yes\"}|stream",
      "{\"model\":\"gpt-4o-mini\",\"input\":\"hi\",\"store\":1}|store",
      "{\"model\":\"gpt-4o-mini\",\"input\":\"hi\",\"tools\":{}}|tools",
      "{\"model\":\"gpt-4o-mini\",\"input\":\"hi\",\"tools\":[{\"type\":\"function\"}]}|tools[0].name",
      "{\"model\":\"gpt-4o-mini\",\"input\":\"hi\",\"tool_choice\":\"sometimes\"}|tool_choice",
      "{\"model\":\"gpt-4o-mini\",\"input\":\"hi\",\"text\":{\"format\":{\"type\":\"yaml\"}}}|text.format.type",
      "{\"model\":\"gpt-4o-mini\",\"input\":\"hi\",\"text\":{\"format\":{\"type\":\"json_schema\",\"name\":\"x\"}}}|text.format.schema",
      "{\"model\":\"gpt-4o-mini\",\"input\":\"hi\",\"reasoning\":{\"effort\":\"extreme\"}}|reasoning.effort",
      "{\"model\":\"gpt-4o-mini\",\"input\":\"hi\",\"metadata\":{\"k\":1}}|metadata",
      "{\"model\":\"gpt-4o-mini\",\"input\":\"hi\",\"include\":\"all\"}|include",
      "{\"model\":\"gpt-4o-mini\",\"input\":\"hi\",\"previous_response_id\":7}|previous_response_id",
      "{\"model\":\"gpt-4o-mini\",\"input\":\"hi\",\"previous_response_id\":\"resp_unknown\"}|previous_response_id",
      "{\"model\":\"gpt-4o-mini\",\"input\":\"hi\",\"background\":true}|background",
      "{\"model\":\"gpt-4o-mini\",\"input\":\"hi\",\"frobnicate\":true}|frobnicate",
      "{\"model\":\"gpt-4o-mini\",\"input\":\"hi\",\"user\":[]}|user",
  })
  void boundsNameTheField(String body, String param) {
    assertBad(post(body), param);
  }

  @Test
  void hostedToolsAreDroppedAndNamed() {
    Http.Reply r = post("{\"model\":\"gpt-4o-mini\",\"tools\":[{\"type\":\"web_search\"},"
        + "{\"type\":\"code_interpreter\",\"container\":{\"type\":\"auto\"}},{\"type\":\"function\",\"name\":\"f\","
        + "\"parameters\":{\"type\":\"object\",\"properties\":{}}}],\"include\":[\"reasoning.encrypted_content\"],"
        + "\"input\":[{\"type\":\"reasoning\",\"id\":\"rs_1\",\"summary\":[]},{\"role\":\"developer\",\"content\":\"be kind\"},"
        + "{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"look\"},"
        + "{\"type\":\"input_image\",\"image_url\":\"https://example.com/cat.png\",\"detail\":\"low\"}]}]}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.header("x-ljq-dropped")).contains("tools.web_search", "tools.code_interpreter", "include",
        "input.reasoning");
    assertThat(r.json().at("/tools/0/name").asText()).isEqualTo("f"); // only what was served is echoed
  }

  @Test
  void anotherTenantsResponseIsNeitherReadableNorContinuable() {
    Http.Reply mine = post("{\"model\":\"gpt-4o-mini\",\"input\":\"secret plans\"}");
    String id = mine.json().get("id").asText();
    long tenant = gw.gateway.accounts().createTenant("other");
    long user = gw.gateway.accounts().createUser("other-" + System.nanoTime() + "@test.local", "x", "O", tenant, "member");
    KeyIssuer.Issued other = gw.gateway.keyIssuer().issue(user, tenant, "other", Set.of(), 1000, 10_000_000, null);
    assertThat(Http.get(url + "/" + id, other.secret()).status()).isEqualTo(404);
    HttpRequest del = HttpRequest.newBuilder(URI.create(url + "/" + id)).header("authorization", "Bearer " + other.secret())
        .DELETE().build();
    assertThat(Http.send(del).status()).isEqualTo(404);
    assertBad(Http.postJson(url, other.secret(), "{\"model\":\"gpt-4o-mini\",\"input\":\"go on\",\"previous_response_id\":\""
        + id + "\"}"), "previous_response_id");
    Http.Reply again = Http.get(url + "/" + id, gw.apiKey);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().get("id").asText()).isEqualTo(id);
    Http.Reply items = Http.get(url + "/" + id + "/input_items", gw.apiKey);
    assertThat(items.json().at("/data/0/content/0/text").asText()).isEqualTo("secret plans");
  }

  /**
   * The AI SDK's second turn with store: true (its default) sends the first answer back as
   * {@code {"type":"item_reference","id":"msg_…"}}: resolved from the tenant's stored responses, non-stream and stream;
   * another tenant's item is as unknown.
   */
  @Test
  void anEarlierAnswerSentBackAsAnItemReferenceIsResolvedFromTheStore() {
    Http.Reply first = post("{\"model\":\"gpt-4o-mini\",\"input\":\"Say hello\"}");
    assertThat(first.status()).as(first.body()).isEqualTo(200);
    JsonNode item = first.json().at("/output/0");
    assertThat(item.get("type").asText()).isEqualTo("message");
    String turn2 = "{\"model\":\"gpt-4o-mini\",%s\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_text\","
        + "\"text\":\"Say hello\"}]},{\"type\":\"item_reference\",\"id\":\"" + item.get("id").asText() + "\"},"
        + "{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"Once more\"}]}]}";
    Http.Reply second = post(turn2.formatted(""));
    assertThat(second.status()).as(second.body()).isEqualTo(200);
    Http.Reply items = Http.get(url + "/" + second.json().get("id").asText() + "/input_items", gw.apiKey);
    assertThat(items.json().at("/data/1")).isEqualTo(item); // stored resolved: a later previous_response_id has it
    Http.Reply streamed = post(turn2.formatted("\"stream\":true,"));
    assertThat(streamed.status()).as(streamed.body()).isEqualTo(200);
    List<Event> ev = events(streamed.body());
    assertThat(ev.get(ev.size() - 1).name()).isEqualTo("response.completed");
    // The streamed answer's item ids can be referenced too.
    String streamedItem = ev.get(ev.size() - 1).data().at("/response/output/0/id").asText();
    assertThat(post(turn2.replace(item.get("id").asText(), streamedItem).formatted("")).status()).isEqualTo(200);

    long tenant = gw.gateway.accounts().createTenant("other-ref");
    long user = gw.gateway.accounts().createUser("other-ref-" + System.nanoTime() + "@test.local", "x", "O", tenant, "member");
    KeyIssuer.Issued other = gw.gateway.keyIssuer().issue(user, tenant, "other", Set.of(), 1000, 10_000_000, null);
    assertBad(Http.postJson(url, other.secret(), turn2.formatted("")), "input[1].id");
    assertBad(post(turn2.replace(item.get("id").asText(), "msg_unknown").formatted("")), "input[1].id");
  }

  @Test
  void aCodexShapedTurnStreams() {
    // What Codex CLI sends: its own history, store false, encrypted reasoning asked for, hosted and custom tools.
    Http.Reply r = post("{\"model\":\"gpt-4o-mini\",\"instructions\":\"You are a coding agent.\",\"input\":["
        + "{\"type\":\"message\",\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"list files\"}]},"
        + "{\"type\":\"reasoning\",\"id\":\"rs_1\",\"summary\":[],\"encrypted_content\":\"opaque\"},"
        + "{\"type\":\"function_call\",\"call_id\":\"call_1\",\"name\":\"shell\",\"arguments\":\"{\\\"command\\\":[\\\"ls\\\"]}\"},"
        + "{\"type\":\"function_call_output\",\"call_id\":\"call_1\",\"output\":\"README.md\"}],"
        + "\"tools\":[{\"type\":\"function\",\"name\":\"shell\",\"description\":\"run\",\"strict\":false,"
        + "\"parameters\":{\"type\":\"object\",\"properties\":{\"command\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}}}},"
        + "{\"type\":\"local_shell\"},{\"type\":\"custom\",\"name\":\"apply_patch\",\"format\":{\"type\":\"grammar\"}},"
        + "{\"type\":\"web_search\"}],\"tool_choice\":\"auto\",\"parallel_tool_calls\":false,"
        + "\"reasoning\":{\"effort\":\"medium\",\"summary\":\"auto\"},\"store\":false,\"stream\":true,"
        + "\"include\":[\"reasoning.encrypted_content\"],\"prompt_cache_key\":\"session-1\"}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.header("x-ljq-dropped")).contains("tools.local_shell", "tools.custom", "tools.web_search",
        "input.reasoning", "include", "reasoning.summary");
    List<Event> ev = events(r.body());
    assertThat(ev.get(ev.size() - 1).name()).isEqualTo("response.completed");
    String id = ev.get(0).data().at("/response/id").asText();
    assertThat(Http.get(url + "/" + id, gw.apiKey).status()).isEqualTo(404); // store: false
  }

  @Test
  void aWrongMethodIs405() {
    Http.Reply r = Http.get(url, gw.apiKey);
    assertThat(r.status()).isEqualTo(405);
  }
}
