package com.lijiaoqiao.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.lijiaoqiao.app.GatewayConfig;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.Http;
import com.lijiaoqiao.testing.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * An upstream that echoes the credential it was sent into every field it answers with: error codes, types,
 * params and messages, mid-stream error events, the reported model. The credential does not look like a key
 * (no sk-, no Bearer), so only the gateway's knowledge of its own credentials can catch it. It must appear
 * nowhere: responses, streams, headers, stats, stored decisions, usage rows, exports or log lines.
 */
class UpstreamSecretLeakTest {
  static final String CREDENTIAL = "plain-zebra-harbour-lantern-4711";
  static Vertx vertx; // one per class run (the JSON variant runs after this class closed its own)
  static HttpServer upstream;
  static TestGateway gw;
  static ListAppender<ILoggingEvent> captured;
  static Logger root;
  static final List<String> seen = new ArrayList<>();

  /** Log lines are also scanned as the JSON layout writes them (set by the JSON variant). */
  static boolean json;

  @BeforeAll
  static void start() throws Exception {
    json = false;
    startWith(false);
  }

  static void startWith(boolean jsonLogs) throws Exception {
    json = jsonLogs;
    seen.clear();
    vertx = Vertx.vertx();
    upstream = vertx.createHttpServer().requestHandler(UpstreamSecretLeakTest::echo).listen(0, "127.0.0.1")
        .toCompletionStage().toCompletableFuture().get();
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    captured = new ListAppender<>();
    captured.setContext(ctx);
    captured.start();
    root.addAppender(captured);
    gw = TestGateway.start(Databases.Kind.H2, c -> {
      GatewayConfig.ProviderSpec p = new GatewayConfig.ProviderSpec();
      p.id = "echoer";
      p.kind = "openai-compatible";
      p.baseUrl = "http://127.0.0.1:" + upstream.actualPort() + "/v1";
      p.apiKey = CREDENTIAL;
      for (String m : List.of("leak-400", "leak-401", "leak-429", "leak-500", "leak-stream-error", "leak-model")) {
        p.models.put(m, m);
      }
      c.providers.add(p);
      if (jsonLogs) c.logging.format = "json";
    });
  }

  @AfterAll
  static void stop() {
    root.detachAppender(captured);
    if (gw != null) gw.close();
    vertx.close();
  }

  /** Answers by upstream model name, putting what it got in Authorization everywhere it can. */
  private static void echo(HttpServerRequest req) {
    String auth = String.valueOf(req.getHeader("authorization"));
    String cred = auth.startsWith("Bearer ") ? auth.substring(7) : auth;
    req.body().onSuccess(b -> {
      if (!req.path().endsWith("/chat/completions")) {
        req.response().setStatusCode(200).end("{\"data\":[]}");
        return;
      }
      String model = b.toJsonObject().getString("model");
      JsonObject err = new JsonObject().put("error", new JsonObject().put("message", "your key " + cred + " is wrong")
          .put("code", cred).put("type", cred).put("param", cred));
      var out = req.response().putHeader("content-type", "application/json");
      switch (model) {
        case "leak-400" -> out.setStatusCode(400).end(err.encode());
        case "leak-401" -> out.setStatusCode(401).end(err.encode());
        case "leak-429" -> out.setStatusCode(429).end(err.encode());
        case "leak-500" -> out.setStatusCode(500).end(err.encode());
        case "leak-model" -> out.setStatusCode(200).end(new JsonObject().put("id", "x").put("object", "chat.completion")
            .put("model", cred).put("choices", new io.vertx.core.json.JsonArray().add(new JsonObject().put("index", 0)
                .put("message", new JsonObject().put("role", "assistant").put("content", "hello"))
                .put("finish_reason", "stop")))
            .put("usage", new JsonObject().put("prompt_tokens", 3).put("completion_tokens", 1).put("total_tokens", 4))
            .encode());
        default -> {
          out.putHeader("content-type", "text/event-stream").setChunked(true).setStatusCode(200);
          out.write("data: {\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"model\":\"" + cred
              + "\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"partial \"}}]}\n\n");
          out.end("data: " + err.encode() + "\n\n");
        }
      }
    });
  }

  private static Http.Reply chat(String model, boolean stream) {
    Http.Reply r = Http.postJson(gw.baseUrl() + "/chat/completions", gw.apiKey, "{\"model\":\"" + model
        + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]" + (stream ? ",\"stream\":true" : "") + "}");
    seen.add("response " + r.status() + " " + r.headers().map() + " " + r.body());
    return r;
  }

  private static Http.Reply messages(String model, boolean stream) {
    Http.Reply r = Http.postJson(gw.gateway.baseUrl().replace("/v1", "") + "/v1/messages", gw.apiKey,
        "{\"model\":\"" + model + "\",\"max_tokens\":50,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]"
            + (stream ? ",\"stream\":true" : "") + "}", "anthropic-version", "2023-06-01");
    seen.add("response " + r.status() + " " + r.headers().map() + " " + r.body());
    return r;
  }

  private static Http.Reply admin(String path) {
    gw.gateway.api().callerResolver(req -> io.vertx.core.Future.succeededFuture(
        new com.lijiaoqiao.http.Caller(gw.userId, gw.tenantId, com.lijiaoqiao.http.Caller.ADMIN, null)));
    Http.Reply r = Http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.gateway.port() + path)).GET()
        .build());
    seen.add("admin " + path + " " + r.status() + " " + r.body());
    return r;
  }

  @Test
  void aCredentialEchoedByTheUpstreamAppearsNowhere() throws Exception {
    List<String> ids = new ArrayList<>();
    for (String m : List.of("leak-400", "leak-401", "leak-429", "leak-500")) {
      for (boolean stream : new boolean[] {false, true}) {
        Http.Reply r = chat(m, stream);
        assertThat(r.status()).as(m).isBetween(400, 599);
        assertThat(r.json().path("error").path("code").asText()).isNotEmpty();
        ids.add(r.header("x-request-id"));
        ids.add(messages(m, stream).header("x-request-id"));
      }
    }
    Http.Reply rejected = chat("leak-400", false);
    assertThat(rejected.status()).isEqualTo(400);
    assertThat(rejected.json().path("error").path("message").asText()).contains("[redacted]");
    Http.Reply s = chat("leak-stream-error", true);
    assertThat(s.status()).isEqualTo(200);
    assertThat(s.body()).contains("partial ").contains("\"error\"").doesNotContain("[DONE]");
    ids.add(s.header("x-request-id"));
    ids.add(messages("leak-stream-error", true).header("x-request-id"));
    Http.Reply named = chat("leak-model", false);
    assertThat(named.status()).isEqualTo(200);
    ids.add(named.header("x-request-id"));
    ids.add(messages("leak-model", false).header("x-request-id"));

    long until = System.currentTimeMillis() + 10_000;
    while (gw.gateway.recorder().pending() > 0 && System.currentTimeMillis() < until) Thread.sleep(20);
    Thread.sleep(500); // the decision writer's batch, too
    admin("/admin/providers/echoer/stats");
    admin("/v1/billing/usage?format=csv");
    admin("/v1/billing/usage");
    for (String id : ids) admin("/admin/requests/" + id);

    List<String> haystacks = new ArrayList<>(seen);
    for (ILoggingEvent e : captured.list) {
      haystacks.add("log: " + e.getFormattedMessage()
          + (e.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(e.getThrowableProxy())));
    }
    if (json) {
      com.lijiaoqiao.logging.JsonLayout layout = new com.lijiaoqiao.logging.JsonLayout();
      layout.start();
      long access = 0;
      for (ILoggingEvent e : captured.list) {
        String line = layout.doLayout(e);
        haystacks.add("json log: " + line);
        if (e.getLoggerName().equals("ljq.access") && line.contains("\"status\"")) access++;
      }
      assertThat(access).as("an access line per request").isGreaterThanOrEqualTo(ids.size());
    }
    try (Connection c = gw.gateway.database().dataSource().getConnection(); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SCRIPT")) {
      while (rs.next()) haystacks.add("db: " + rs.getString(1));
    }
    assertThat(haystacks.stream().filter(h -> h.startsWith("db: ") && h.contains("leak-500")).count())
        .as("the dump holds the requests' rows").isPositive();
    for (String h : haystacks) {
      for (int i = 0; i + 8 <= CREDENTIAL.length(); i++) {
        assertThat(h).as("a fragment of the upstream credential leaked").doesNotContain(CREDENTIAL.substring(i, i + 8));
      }
    }
  }
}
