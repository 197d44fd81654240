package com.lijiaoqiao.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class SimulatorControlTest extends SimulatorTestBase {

  private static HttpResponse<String> control(String method, String path, String body) throws Exception {
    HttpRequest.Builder b = req(path);
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void globalControlAndStats() throws Exception {
    control("POST", "/_sim/stats/reset", null);
    assertThat(control("PUT", "/_sim/control", "{\"directives\":\"fault=503\"}").statusCode()).isEqualTo(200);
    assertThat(post("/v1/chat/completions", chatBody("gpt-4o", "x", false, null)).statusCode()).isEqualTo(503);
    assertThat(post("/v1/messages", anthBody("x", false, null), "x-api-key", "k").statusCode()).isEqualTo(503);
    // a request with its own header is not affected by the global directives
    assertThat(post("/v1/chat/completions", chatBody("gpt-4o", "x", false, null), "x-ljq-sim", "tokens=3").statusCode())
        .isEqualTo(200);
    assertThat(control("PUT", "/_sim/control", "{\"directives\":\"bogus=1\"}").statusCode()).isEqualTo(400);
    assertThat(control("DELETE", "/_sim/control", null).statusCode()).isEqualTo(200);
    assertThat(post("/v1/chat/completions", chatBody("gpt-4o", "x", false, null)).statusCode()).isEqualTo(200);

    JsonNode stats = json(control("GET", "/_sim/stats", null).body());
    assertThat(stats.path("requests").asLong()).isEqualTo(4);
    assertThat(stats.path("by_path").path("/v1/chat/completions").asLong()).isEqualTo(3);
    assertThat(stats.path("by_path").path("/v1/messages").asLong()).isEqualTo(1);
    control("POST", "/_sim/stats/reset", null);
    assertThat(json(control("GET", "/_sim/stats", null).body()).path("requests").asLong()).isZero();
  }

  @Test
  void perModelControlFailsOneModelWhileItsProviderStillAnswers() throws Exception {
    try {
      assertThat(control("PUT", "/_sim/control", "{\"directives\":\"fault=503\",\"model\":\"gpt-4o\"}").statusCode())
          .isEqualTo(200);
      assertThat(json(control("GET", "/_sim/control", null).body()).at("/models/gpt-4o").asText()).isEqualTo("fault=503");
      assertThat(post("/v1/chat/completions", chatBody("gpt-4o", "x", false, null)).statusCode()).isEqualTo(503);
      assertThat(post("/v1/chat/completions", chatBody("gpt-4o::tokens=3", "x", false, null)).statusCode())
          .as("the name before :: is the model").isEqualTo(503);
      assertThat(post("/v1/chat/completions", chatBody("gpt-4o-mini", "x", false, null)).statusCode())
          .as("another model").isEqualTo(200);
      assertThat(get("/v1/models").statusCode()).as("the provider's model list").isEqualTo(200);
      assertThat(post("/v1/chat/completions", chatBody("gpt-4o", "x", false, null), "x-ljq-sim", "tokens=3")
          .statusCode()).as("a request with its own header").isEqualTo(200);
      control("PUT", "/_sim/control", "{\"directives\":\"fault=500\",\"model\":\"gemini-2.5-flash\"}");
      assertThat(post("/v1beta/models/gemini-2.5-flash:generateContent",
          "{\"contents\":[{\"parts\":[{\"text\":\"hi\"}]}]}", "x-goog-api-key", "k").statusCode()).isEqualTo(500);
      // the model's own directives replace the global ones for it
      control("PUT", "/_sim/control", "{\"directives\":\"fault=429\"}");
      assertThat(post("/v1/chat/completions", chatBody("gpt-4o", "x", false, null)).statusCode()).isEqualTo(503);
      assertThat(post("/v1/chat/completions", chatBody("gpt-4o-mini", "x", false, null)).statusCode()).isEqualTo(429);
      control("PUT", "/_sim/control", "{\"directives\":null,\"model\":\"gpt-4o\"}");
      assertThat(post("/v1/chat/completions", chatBody("gpt-4o", "x", false, null)).statusCode())
          .as("cleared: the global directives again").isEqualTo(429);
      control("DELETE", "/_sim/control", null);
      assertThat(json(control("GET", "/_sim/control", null).body()).path("models").size()).isZero();
      assertThat(post("/v1beta/models/gemini-2.5-flash:generateContent",
          "{\"contents\":[{\"parts\":[{\"text\":\"hi\"}]}]}", "x-goog-api-key", "k").statusCode()).isEqualTo(200);
    } finally {
      control("DELETE", "/_sim/control", null);
    }
  }

  @Test
  void concurrency64() throws Exception {
    List<CompletableFuture<HttpResponse<String>>> fs = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      HttpRequest r = req("/v1/chat/completions").header("authorization", "Bearer x")
          .header("x-ljq-sim", "gap=2,tokens=20")
          .POST(HttpRequest.BodyPublishers.ofString(chatBody("gpt-4o-mini", "concurrent " + i, true, null))).build();
      fs.add(http.sendAsync(r, HttpResponse.BodyHandlers.ofString()));
    }
    for (CompletableFuture<HttpResponse<String>> f : fs) {
      HttpResponse<String> r = f.get();
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(dataLines(r.body())).endsWith("[DONE]").hasSize(1 + 20 + 1 + 1);
    }
  }
}
