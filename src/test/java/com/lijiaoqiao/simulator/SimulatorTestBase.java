package com.lijiaoqiao.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

abstract class SimulatorTestBase {
  static final ObjectMapper M = new ObjectMapper();
  static Vertx vertx;
  static Simulator sim;
  static HttpClient http;

  @BeforeAll
  static void startSim() {
    vertx = Vertx.vertx();
    sim = Simulator.start(vertx, "127.0.0.1", 0);
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  }

  @AfterAll
  static void stopSim() throws Exception {
    sim.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static HttpRequest.Builder req(String path) {
    return HttpRequest.newBuilder(URI.create(sim.baseUrl() + path)).timeout(Duration.ofSeconds(10));
  }

  static HttpResponse<String> post(String path, String body, String... headers) throws IOException, InterruptedException {
    HttpRequest.Builder b = req(path).POST(HttpRequest.BodyPublishers.ofString(body))
        .header("content-type", "application/json");
    boolean auth = false;
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
      auth |= headers[i].equalsIgnoreCase("authorization") || headers[i].equalsIgnoreCase("x-api-key")
          || headers[i].equalsIgnoreCase("x-no-auth");
    }
    if (!auth) {
      b.header("authorization", "Bearer sk-test");
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(req(path).header("authorization", "Bearer sk-test").GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode json(String s) {
    try {
      return M.readTree(s);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + s, e);
    }
  }

  static String chatBody(String model, String prompt, boolean stream, String extra) {
    return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]"
        + (stream ? ",\"stream\":true" : "") + (extra == null ? "" : "," + extra) + "}";
  }

  static String anthBody(String prompt, boolean stream, String extra) {
    return "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":256,\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt
        + "\"}]" + (stream ? ",\"stream\":true" : "") + (extra == null ? "" : "," + extra) + "}";
  }

  /** Parses an SSE body into the JSON payloads of its data lines (raw strings). */
  static List<String> dataLines(String body) {
    List<String> out = new ArrayList<>();
    for (String block : body.split("\n\n")) {
      for (String line : block.split("\n")) {
        if (line.startsWith("data: ")) {
          out.add(line.substring(6));
        }
      }
    }
    return out;
  }

  static List<String> eventNames(String body) {
    List<String> out = new ArrayList<>();
    for (String line : body.split("\n")) {
      if (line.startsWith("event: ")) {
        out.add(line.substring(7));
      }
    }
    return out;
  }

  /** Concatenated delta.content of OpenAI chat chunks. */
  static String chatText(String body) {
    StringBuilder sb = new StringBuilder();
    for (String d : dataLines(body)) {
      if (d.equals("[DONE]")) {
        continue;
      }
      JsonNode n = json(d);
      for (JsonNode c : n.path("choices")) {
        JsonNode content = c.path("delta").get("content");
        if (content != null && content.isTextual()) {
          sb.append(content.asText());
        }
      }
    }
    return sb.toString();
  }
}
