package com.lijiaoqiao.routing;

import static com.lijiaoqiao.routing.RoutingFixture.chats;
import static com.lijiaoqiao.routing.RoutingFixture.fault;
import static org.assertj.core.api.Assertions.assertThat;

import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.Http;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** POST /v1/responses falls over before the first byte like chat completions, streamed or not. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResponsesFailoverTest {
  RoutingFixture f;

  @BeforeAll
  void start() {
    f = new RoutingFixture(Databases.Kind.H2, c -> {});
  }

  @AfterAll
  void stop() {
    f.close();
  }

  @BeforeEach
  void reset() {
    f.reset();
  }

  Http.Reply post(boolean stream) {
    return Http.postJson(f.gw.baseUrl() + "/responses", f.gw.apiKey,
        "{\"model\":\"chat\",\"input\":\"Tell me about bridges\"" + (stream ? ",\"stream\":true" : "") + "}");
  }

  @ParameterizedTest(name = "stream={0}")
  @ValueSource(booleans = {false, true})
  void anUnavailablePrimaryFallsOverBeforeTheFirstByte(boolean stream) {
    fault(f.primary, "fault=503");
    Http.Reply r = post(stream);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.header("x-ljq-provider")).isEqualTo("fallback");
    assertThat(chats(f.fallback)).isEqualTo(1);
    if (stream) {
      assertThat(r.body()).startsWith("event: response.created").contains("event: response.completed")
          .doesNotContain("response.failed");
    } else {
      assertThat(r.json().get("object").asText()).isEqualTo("response");
      assertThat(r.json().get("model").asText()).isEqualTo("chat");
    }
  }

  @ParameterizedTest(name = "stream={0}")
  @ValueSource(booleans = {false, true})
  void aCutBeforeAnyContentFallsOverToo(boolean stream) {
    fault(f.primary, "fault=cut,after=0");
    Http.Reply r = post(stream);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.header("x-ljq-provider")).isEqualTo("fallback");
    if (stream) assertThat(r.body()).contains("event: response.completed").doesNotContain("response.failed");
  }
}
