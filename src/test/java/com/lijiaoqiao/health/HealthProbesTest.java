package com.lijiaoqiao.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.Http;
import com.lijiaoqiao.testing.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** /livez, /readyz and the older probe paths against a real gateway: PostgreSQL cut and restored, draining. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HealthProbesTest {
  static final Vertx vertx = Vertx.vertx();

  @AfterAll
  static void stopVertx() {
    vertx.close();
  }

  static Http.Reply get(TestGateway gw, String path) {
    return Http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.gateway.port() + path)).GET()
        .timeout(java.time.Duration.ofSeconds(5)).build());
  }

  static void await(TestGateway gw, int status, long ms) throws InterruptedException {
    long until = System.currentTimeMillis() + ms;
    Http.Reply last = null;
    while (System.currentTimeMillis() < until) {
      last = get(gw, "/readyz");
      if (last.status() == status) return;
      Thread.sleep(100);
    }
    throw new AssertionError("/readyz never answered " + status + "; last: " + (last == null ? null
        : last.status() + " " + last.body()));
  }

  @Test
  void livenessAndReadinessAnswerWithTheirChecks() {
    try (TestGateway gw = TestGateway.start(Databases.Kind.H2)) {
      for (String p : List.of("/livez", "/health", "/healthz")) {
        Http.Reply r = get(gw, p);
        assertThat(r.status()).as(p).isEqualTo(200);
        assertThat(r.body()).as(p).isEqualTo("{\"status\":\"ok\"}");
      }
      for (String p : List.of("/readyz", "/ready")) {
        Http.Reply r = get(gw, p);
        assertThat(r.status()).as(p + " " + r.body()).isEqualTo(200);
        JsonNode j = r.json();
        assertThat(j.get("status").asText()).isEqualTo("ready");
        assertThat(j.get("checks").get("database").asText()).isEqualTo("ok");
        assertThat(j.get("checks").get("journal").asText()).isEqualTo("ok");
        assertThat(j.get("checks").get("models").asText()).isEqualTo("ok");
        assertThat(j.get("checks").has("redis")).isFalse(); // not configured
      }
      Http.Reply post = Http.postJson("http://127.0.0.1:" + gw.gateway.port() + "/readyz", null, "{}");
      assertThat(post.status()).isEqualTo(405);
    }
  }

  @Test
  void readinessFailsWhilePostgresIsUnreachableAndRecovers() throws Exception {
    String direct = Databases.freshUrl(Databases.Kind.POSTGRES); // aborts the test without PostgreSQL
    Matcher m = Pattern.compile("//([^/:]+):(\\d+)/").matcher(direct);
    assertThat(m.find()).isTrue();
    TcpProxy proxy = new TcpProxy(m.group(1), Integer.parseInt(m.group(2)));
    proxy.open(0);
    String proxied = direct.replace("//" + m.group(1) + ":" + m.group(2) + "/", "//127.0.0.1:" + proxy.port + "/");
    try (TestGateway gw = TestGateway.start(Databases.Kind.H2, c -> {
      c.database.url = proxied;
      c.database.username = Databases.PG_USER;
      c.health.checkIntervalMs = 200;
      c.health.checkTimeoutMs = 1_000;
    })) {
      await(gw, 200, 10_000);
      proxy.cut();
      await(gw, 503, 15_000);
      Http.Reply down = get(gw, "/readyz");
      assertThat(down.json().get("status").asText()).isEqualTo("unready");
      assertThat(down.json().get("failing").toString()).contains("database");
      assertThat(down.json().get("checks").get("journal").asText()).isEqualTo("ok");
      assertThat(down.body()).doesNotContain("jdbc:").doesNotContain(String.valueOf(proxy.port));
      assertThat(get(gw, "/livez").status()).as("the process is alive").isEqualTo(200);
      proxy.open(proxy.port);
      await(gw, 200, 30_000);
      assertThat(get(gw, "/readyz").json().get("checks").get("database").asText()).isEqualTo("ok");
    } finally {
      proxy.cut();
      Databases.dropIfPostgres(direct);
    }
  }

  @Test
  void redisAndKafkaAreCheckedWhenConfiguredAndALostRedisMakesTheNodeUnready() throws Exception {
    String redis = com.lijiaoqiao.testing.Redises.require();
    Matcher m = Pattern.compile("//(?:[^@/]*@)?([^/:]+):(\\d+)").matcher(redis);
    assertThat(m.find()).isTrue();
    TcpProxy proxy = new TcpProxy(m.group(1), Integer.parseInt(m.group(2)));
    proxy.open(0);
    String bootstrap = com.lijiaoqiao.testing.KafkaBroker.bootstrapServers();
    String prefix = "readyz" + System.nanoTime() + ".";
    try (TestGateway gw = TestGateway.start(Databases.Kind.H2, c -> {
      c.redis.url = "redis://127.0.0.1:" + proxy.port;
      c.redis.keyPrefix = prefix;
      c.kafka.bootstrapServers = bootstrap;
      c.kafka.topicPrefix = prefix;
      c.kafka.groupPrefix = prefix;
      c.health.checkIntervalMs = 200;
      c.health.checkTimeoutMs = 1_000;
    })) {
      await(gw, 200, 20_000);
      JsonNode checks = get(gw, "/readyz").json().get("checks");
      assertThat(checks.get("redis").asText()).isEqualTo("ok");
      assertThat(checks.get("kafka").asText()).isEqualTo("ok");
      proxy.cut();
      await(gw, 503, 15_000);
      Http.Reply down = get(gw, "/readyz");
      assertThat(down.json().get("failing").toString()).contains("redis").doesNotContain("database");
      assertThat(down.body()).doesNotContain("redis://");
      proxy.open(proxy.port);
      await(gw, 200, 30_000);
    } finally {
      proxy.cut();
    }
  }

  @Test
  void readinessTurnsUnreadyAsSoonAsShutdownBeginsWhileAStreamStillRuns() throws Exception {
    TestGateway gw = TestGateway.start(Databases.Kind.H2, c -> c.health.drainDelayMs = 2_500);
    Thread closer = new Thread(gw::close, "test-close");
    try (Http.Stream s = Http.stream(gw.baseUrl() + "/chat/completions", gw.apiKey,
        "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
        "x-ljq-sim", "ttft=300; gap=500; chunks=6")) {
      assertThat(s.status).isEqualTo(200);
      assertThat(get(gw, "/readyz").status()).isEqualTo(200);
      closer.start();
      await(gw, 503, 2_000);
      Http.Reply r = get(gw, "/readyz");
      assertThat(r.json().get("status").asText()).isEqualTo("draining");
      assertThat(r.json().get("failing").toString()).contains("draining");
      assertThat(get(gw, "/livez").status()).isEqualTo(200);
      List<String> events = s.rest();
      assertThat(events).as("the in-flight stream finishes").last().isEqualTo("[DONE]");
    } finally {
      closer.join(30_000);
      gw.close();
    }
  }

  /** Forwards TCP connections to host:port; {@link #cut} closes the listener and every connection. */
  static final class TcpProxy {
    final String host;
    final int targetPort;
    final Set<NetSocket> sockets = ConcurrentHashMap.newKeySet();
    NetServer server;
    int port;

    TcpProxy(String host, int targetPort) {
      this.host = host;
      this.targetPort = targetPort;
    }

    void open(int listenPort) throws Exception {
      var client = vertx.createNetClient();
      server = vertx.createNetServer().connectHandler(in -> {
        in.pause();
        sockets.add(in);
        in.closeHandler(v -> sockets.remove(in));
        client.connect(targetPort, host).onSuccess(out -> {
          sockets.add(out);
          out.closeHandler(v -> {
            sockets.remove(out);
            in.close();
          });
          in.closeHandler(v -> {
            sockets.remove(in);
            out.close();
          });
          in.handler(out::write);
          out.handler(in::write);
          in.resume();
        }).onFailure(t -> in.close());
      });
      port = server.listen(listenPort, "127.0.0.1").toCompletionStage().toCompletableFuture()
          .get(5, TimeUnit.SECONDS).actualPort();
    }

    void cut() throws Exception {
      if (server != null) server.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      server = null;
      for (NetSocket s : sockets) s.close();
      sockets.clear();
    }
  }
}
