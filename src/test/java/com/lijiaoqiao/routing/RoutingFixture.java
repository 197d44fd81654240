package com.lijiaoqiao.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.app.GatewayConfig;
import com.lijiaoqiao.http.Caller;
import com.lijiaoqiao.simulator.Simulator;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.Http;
import com.lijiaoqiao.testing.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A gateway with two external simulators: "primary" (tier 0) and "fallback" (tier 1). Public model "chat" is
 * served by both (primary as gpt-4o, fallback as gpt-4o-mini); "solo" only by the primary. Faults are set on
 * one simulator through its global control directives, so they hit only that provider. "big" (fallback only,
 * as gpt-4.1) is the configured larger-context fall-over of "solo".
 */
final class RoutingFixture implements AutoCloseable {
  static final String ADMIN_HEADER = "x-test-admin";
  // Small enough for a quick suite, large enough for a cold JVM on a busy 2-core machine.
  static final int FIRST_BYTE_MS = 1_500;
  static final int IDLE_MS = 1_500;
  static final int DEADLINE_MS = 6_000;
  static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  final Vertx vertx = Vertx.vertx();
  final Simulator primary;
  final Simulator fallback;
  final TestGateway gw;

  RoutingFixture(Databases.Kind db, Consumer<GatewayConfig> customize) {
    primary = Simulator.start(vertx, "127.0.0.1", 0);
    fallback = Simulator.start(vertx, "127.0.0.1", 0);
    gw = TestGateway.start(db, c -> {
      c.upstream.idleTimeoutMs = IDLE_MS;
      c.routing.firstByteTimeoutMs = FIRST_BYTE_MS;
      c.routing.totalTimeoutMs = DEADLINE_MS;
      c.routing.backoffBaseMs = 100;
      c.routing.healthIntervalMs = 600_000;
      c.routing.recoveryProbeIntervalMs = 0; // background checks stay out of the way unless a test asks for them
      c.routing.breakerConsecutiveFailures = 5;
      c.routing.breakerMinCalls = 10;
      c.routing.breakerOpenMs = 60_000;
      c.providers.add(provider("primary", primary, 0, "gpt-4o"));
      GatewayConfig.ProviderSpec p = c.providers.get(c.providers.size() - 1);
      p.models.put("solo", "gpt-4o");
      c.providers.add(provider("fallback", fallback, 1, "gpt-4o-mini"));
      c.providers.get(c.providers.size() - 1).models.put("big", "gpt-4.1");
      c.routing.contextFallbacks.put("solo", "big");
      customize.accept(c);
    });
    gw.gateway.api().callerResolver(req -> Future.succeededFuture(
        "yes".equals(req.getHeader(ADMIN_HEADER)) ? new Caller(gw.userId, gw.tenantId, Caller.ADMIN, null) : null));
    // Warm both paths up (class loading, tokenizer tables, connections) so timeouts measure the faults only.
    for (int i = 0; i < 3; i++) {
      chat("solo", false);
      chat("solo", true);
      send(fallback, "POST", "/v1/chat/completions",
          "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    }
    reset();
  }

  private static GatewayConfig.ProviderSpec provider(String id, Simulator sim, int tier, String upstream) {
    GatewayConfig.ProviderSpec p = new GatewayConfig.ProviderSpec();
    p.id = id;
    p.kind = "simulator";
    p.baseUrl = sim.baseUrl() + "/v1";
    p.tier = tier;
    p.models.put("chat", upstream);
    return p;
  }

  /** Clears faults, counters and the gateway's live provider state between tests. */
  void reset() {
    send(primary, "POST", "/_sim/reset", null);
    send(fallback, "POST", "/_sim/reset", null);
    gw.gateway.router().resetState();
  }

  static void fault(Simulator sim, String directives) {
    send(sim, "PUT", "/_sim/control", "{\"directives\":\"" + directives + "\"}");
  }

  static void clearFault(Simulator sim) {
    send(sim, "DELETE", "/_sim/control", null);
  }

  /** Directives for one upstream model on that simulator only: the model is down while GET /v1/models answers. */
  static void modelFault(Simulator sim, String model, String directives) {
    send(sim, "PUT", "/_sim/control", "{\"directives\":\"" + directives + "\",\"model\":\"" + model + "\"}");
  }

  static void clearModelFault(Simulator sim, String model) {
    send(sim, "PUT", "/_sim/control", "{\"directives\":null,\"model\":\"" + model + "\"}");
  }

  /** A provider's live stats (GET /admin/providers/{id}/stats). */
  JsonNode stats(String provider) {
    return admin("GET", "/admin/providers/" + provider + "/stats", null).json();
  }

  /** The attempts of a request's stored routing decision. */
  List<JsonNode> attempts(String requestId) {
    JsonNode d = decision(requestId);
    return Http.JSON.convertValue(d.at("/route/attempts"),
        Http.JSON.getTypeFactory().constructCollectionType(List.class, JsonNode.class));
  }

  /** Chat requests that reached the simulator (health probes are not counted). */
  static int chats(Simulator sim) {
    JsonNode n = parse(send(sim, "GET", "/_sim/stats", null));
    return n.path("by_path").path("/v1/chat/completions").asInt(0);
  }

  private static JsonNode parse(String s) {
    try {
      return Http.JSON.readTree(s);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static String send(Simulator sim, String method, String path, String body) {
    try {
      HttpRequest r = HttpRequest.newBuilder(URI.create(sim.baseUrl() + path)).timeout(Duration.ofSeconds(10))
          .header("content-type", "application/json").header("authorization", "Bearer sim")
          .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
          .build();
      HttpResponse<String> resp = CLIENT.send(r, HttpResponse.BodyHandlers.ofString());
      if (resp.statusCode() >= 300) throw new AssertionError(method + " " + path + ": " + resp.body());
      return resp.body();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** One chat call through the gateway, streamed or not, as a client sees it. */
  record Result(int status, String provider, String requestId, String model, List<String> events, JsonNode body,
                long elapsedMs) {
    boolean endsWithDone() {
      return !events.isEmpty() && events.get(events.size() - 1).equals("[DONE]");
    }

    boolean hasErrorEvent() {
      return events.stream().anyMatch(e -> e.contains("\"error\""));
    }
  }

  Result chat(String model, boolean stream, String... headers) {
    String json = "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Tell me about bridges\"}]"
        + (stream ? ",\"stream\":true,\"stream_options\":{\"include_usage\":true}" : "") + "}";
    long t0 = System.nanoTime();
    if (!stream) {
      Http.Reply r = Http.postJson(gw.baseUrl() + "/chat/completions", gw.apiKey, json, headers);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      JsonNode body = r.json();
      return new Result(r.status(), r.header("x-ljq-provider"), r.header("x-request-id"),
          body.path("model").asText(null), List.of(), body, ms);
    }
    // The whole SSE body as text (the tests look at every event, and at JSON error bodies when not 200).
    Http.Reply r = Http.postJson(gw.baseUrl() + "/chat/completions", gw.apiKey, json, headers);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    List<String> events = new ArrayList<>();
    String served = null;
    JsonNode body = null;
    if (r.status() == 200) {
      for (String line : r.body().split("\n")) {
        if (!line.startsWith("data: ")) continue;
        String e = line.substring(6);
        events.add(e);
        if (served == null && e.startsWith("{")) {
          try {
            JsonNode n = Http.JSON.readTree(e);
            if (n.has("model")) served = n.get("model").asText();
          } catch (Exception ignored) {
            // a malformed event: the test decides
          }
        }
      }
    } else {
      body = r.json();
    }
    return new Result(r.status(), r.header("x-ljq-provider"), r.header("x-request-id"), served, events, body, ms);
  }

  /** The stored routing decision of a request (waits for the batch writer). */
  JsonNode decision(String requestId) {
    long end = System.currentTimeMillis() + 5_000;
    while (System.currentTimeMillis() < end) {
      HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.gateway.port()
          + "/admin/requests/" + requestId)).header(ADMIN_HEADER, "yes").GET().build();
      Http.Reply reply = Http.send(r);
      if (reply.status() == 200) {
        JsonNode n = reply.json();
        if (!n.path("route").isNull() && !n.path("usage").isNull()) return n;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
    throw new AssertionError("no stored decision for " + requestId);
  }

  Http.Reply admin(String method, String path, String json) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.gateway.port() + path))
        .header(ADMIN_HEADER, "yes").header("content-type", "application/json")
        .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
    return Http.send(b.build());
  }

  @Override
  public void close() {
    gw.close();
    primary.close();
    fallback.close();
    vertx.close();
  }
}
