package com.lijiaoqiao.supply;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.lijiaoqiao.app.GatewayConfig;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.Http;
import com.lijiaoqiao.testing.TestCallers;
import com.lijiaoqiao.testing.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
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
 * A supplier's upstream that echoes the credential it was given into everything it answers (errors, streams, the
 * reported model): the supplier registered it through the API, so the gateway learnt the credential there. It must
 * appear nowhere: consumers' responses and streams, the supplier's and the operator's views, stored rows, log lines.
 */
class SupplierSecretLeakTest {
  static final String CREDENTIAL = "quiet-otter-meadow-lamp-9021";
  static final Vertx vertx = Vertx.vertx();
  static HttpServer upstream;
  static TestGateway gw;
  static ListAppender<ILoggingEvent> captured;
  static Logger root;
  static final List<String> seen = new ArrayList<>();
  static String supplier;

  @BeforeAll
  static void start() throws Exception {
    upstream = vertx.createHttpServer().requestHandler(SupplierSecretLeakTest::echo).listen(0, "127.0.0.1")
        .toCompletionStage().toCompletableFuture().get();
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    captured = new ListAppender<>();
    captured.setContext(ctx);
    captured.start();
    root.addAppender(captured);
    gw = TestGateway.start(Databases.Kind.H2, c -> {
      c.supply.allowedAddresses.add("127.0.0.1/32");
      for (String m : List.of("mk-400", "mk-401", "mk-500", "mk-model", "mk-stream")) {
        GatewayConfig.PriceSpec p = new GatewayConfig.PriceSpec();
        p.input = "1.00";
        p.output = "1.00";
        c.billing.models.put(m, p);
      }
    });
    gw.gateway.api().callerResolver(new TestCallers());
    gw.gateway.billing().credit(gw.tenantId, 10_000_000, "leak-" + gw.tenantId, "start", null);
    long tenant = gw.gateway.accounts().createTenant("echo supplier");
    long user = gw.gateway.accounts().createUser("echo-sup@t.local", "x", "S", tenant, "supplier");
    supplier = user + "," + tenant + ",supplier";
    call("PUT", "/admin/suppliers/" + tenant, TestCallers.admin(), "{\"status\":\"approved\"}");
  }

  @AfterAll
  static void stop() {
    root.detachAppender(captured);
    if (gw != null) gw.close();
    vertx.close();
  }

  /** The one-token probe is answered 200; traffic by upstream model, the credential put everywhere it fits. */
  private static void echo(HttpServerRequest req) {
    String auth = String.valueOf(req.getHeader("authorization"));
    String cred = auth.startsWith("Bearer ") ? auth.substring(7) : auth;
    req.body().onSuccess(b -> {
      JsonObject body = b.toJsonObject();
      String model = body.getInteger("max_tokens", 0) == 1 ? "leak-model" : body.getString("model");
      JsonObject err = new JsonObject().put("error", new JsonObject().put("message", "your key " + cred + " is wrong")
          .put("code", cred).put("type", cred).put("param", cred));
      var out = req.response().putHeader("content-type", "application/json");
      switch (model) {
        case "leak-400" -> out.setStatusCode(400).end(err.encode());
        case "leak-401" -> out.setStatusCode(401).end(err.encode());
        case "leak-500" -> out.setStatusCode(500).end(err.encode());
        case "leak-model" -> out.setStatusCode(200).end(new JsonObject().put("id", "x").put("object", "chat.completion")
            .put("model", cred).put("choices", new JsonArray().add(new JsonObject().put("index", 0)
                .put("message", new JsonObject().put("role", "assistant").put("content", "hello " + cred))
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

  static Http.Reply call(String method, String path, String caller, String body) {
    String root = gw.baseUrl().substring(0, gw.baseUrl().length() - 3);
    Http.Reply r = Http.send(HttpRequest.newBuilder(URI.create(root + path)).header(TestCallers.HEADER, caller)
        .header("authorization", "Bearer test.session.token").header("content-type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .build());
    seen.add(method + " " + path + " " + r.status() + " " + r.headers().map() + " " + r.body());
    return r;
  }

  private static Http.Reply chat(String model, boolean stream) {
    Http.Reply r = Http.postJson(gw.baseUrl() + "/chat/completions", gw.apiKey, "{\"model\":\"" + model
        + "\",\"max_tokens\":20,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]" + (stream ? ",\"stream\":true" : "")
        + "}");
    seen.add("response " + r.status() + " " + r.headers().map() + " " + r.body());
    return r;
  }

  @Test
  void aSuppliersCredentialEchoedByItsUpstreamAppearsNowhere() throws Exception {
    Http.Reply acc = call("POST", "/v1/supply/accounts", supplier, "{\"name\":\"echo\",\"base_url\":\"http://127.0.0.1:"
        + upstream.actualPort() + "/v1\",\"credential\":\"" + CREDENTIAL + "\",\"models\":{\"mk-400\":\"leak-400\","
        + "\"mk-401\":\"leak-401\",\"mk-500\":\"leak-500\",\"mk-model\":\"leak-model\",\"mk-stream\":\"leak-stream\"}}");
    assertThat(acc.status()).as(acc.body()).isEqualTo(201);
    Http.Reply pkg = call("POST", "/v1/supply/packages", supplier, "{\"account_id\":" + acc.json().get("id").asLong()
        + ",\"name\":\"p\",\"quota_tokens\":100000,\"input_per_1m\":\"0.5\",\"output_per_1m\":\"0.5\","
        + "\"public_name\":\"echo-co\",\"status\":\"active\"}");
    assertThat(pkg.status()).as(pkg.body()).isEqualTo(201);
    for (String m : List.of("mk-400", "mk-401", "mk-500", "mk-model", "mk-stream")) {
      for (boolean stream : new boolean[] {false, true}) chat(m, stream);
    }
    assertThat(chat("mk-model", false).status()).isEqualTo(200);
    long until = System.currentTimeMillis() + 10_000;
    while (gw.gateway.recorder().pending() > 0 && System.currentTimeMillis() < until) Thread.sleep(20);
    Thread.sleep(700); // the ledger's and the decision writer's batches, and the account's re-check after the 401
    call("GET", "/v1/supply/accounts", supplier, null);
    call("GET", "/v1/supply/earnings?group_by=model", supplier, null);
    call("GET", "/admin/supply/accounts", TestCallers.admin(), null);
    call("GET", "/admin/supply/packages", TestCallers.admin(), null);
    call("GET", "/admin/providers", TestCallers.admin(), null);

    List<String> haystacks = new ArrayList<>(seen);
    for (ILoggingEvent e : captured.list) {
      haystacks.add("log: " + e.getFormattedMessage()
          + (e.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(e.getThrowableProxy())));
    }
    try (Connection c = gw.gateway.database().dataSource().getConnection(); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SCRIPT")) {
      while (rs.next()) haystacks.add("db: " + rs.getString(1));
    }
    assertThat(haystacks.stream().filter(h -> h.startsWith("db: ") && h.contains("supply_earnings")).count()).isPositive();
    for (String h : haystacks) {
      for (int i = 0; i + 8 <= CREDENTIAL.length(); i++) {
        assertThat(h).as("a fragment of the supplier's credential leaked").doesNotContain(CREDENTIAL.substring(i, i + 8));
      }
    }
  }
}
