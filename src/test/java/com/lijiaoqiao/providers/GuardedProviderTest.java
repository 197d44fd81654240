package com.lijiaoqiao.providers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.lijiaoqiao.net.AddressGuard;
import com.lijiaoqiao.protocol.Endpoint;
import com.lijiaoqiao.routing.ProviderDef;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.dns.AddressResolverOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SelfSignedCertificate;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A provider built with an address guard, against a real server on loopback: reached when the operator allows
 * loopback, at the address the guard judged, with the original Host, SNI and certificate name; refused otherwise,
 * before anything is sent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GuardedProviderTest {
  static final String SECRET = "sk-guarded-secret";
  static final AddressGuard STRICT = new AddressGuard(false, List.of());
  static final AddressGuard LOOPBACK_ALLOWED = new AddressGuard(false, List.of("127.0.0.1/32", "::1", "localhost"));

  Vertx vertx;
  HttpClient client;
  io.vertx.core.Context context;
  HttpServer server;
  int port;
  final List<String> seen = new CopyOnWriteArrayList<>(); // "METHOD uri host=…"

  @BeforeAll
  void start() {
    // The connection's own resolver believes localhost is 127.0.0.2, where nothing listens: only a connection to
    // the address the guard judged (127.0.0.1, from the system's resolver) can reach the server.
    vertx = Vertx.vertx(new VertxOptions().setAddressResolverOptions(
        new AddressResolverOptions().setHostsValue(Buffer.buffer("127.0.0.2 localhost\n"))));
    client = vertx.createHttpClient();
    context = vertx.getOrCreateContext();
    server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      seen.add(req.method().name() + " " + req.uri() + " host=" + req.getHeader("host"));
      req.response().putHeader("content-type", "application/json").end("{}");
    })).listen(0, "127.0.0.1").await();
    port = server.actualPort();
  }

  @AfterAll
  void stop() {
    vertx.close().await();
  }

  @BeforeEach
  void clear() {
    seen.clear();
  }

  <T> T await(java.util.function.Supplier<Future<T>> call) throws Exception {
    Promise<T> done = Promise.promise();
    context.runOnContext(v -> call.get().onComplete(done));
    return done.future().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  static ProviderDef def(String kind, String baseUrl) {
    return new ProviderDef("p-" + kind, kind, baseUrl, SECRET, Map.of("m", "m"), true, true, false, 0, 0, 1, 0, 0,
        "test", true, "admin");
  }

  static UpstreamCall chat() {
    return new UpstreamCall(Endpoint.CHAT_COMPLETIONS, "m",
        "{\"model\":\"m\",\"messages\":[]}".getBytes(StandardCharsets.UTF_8), false, null, null);
  }

  @Test
  void theUnguardedPathFollowsTheConnectionsOwnResolver() {
    Provider p = Providers.create(def("openai-compatible", "http://localhost:" + port + "/v1"), null, 2000, 5000);
    assertThatThrownBy(() -> await(() -> p.open(client, chat()))).as("127.0.0.2: nothing listens")
        .isInstanceOf(ExecutionException.class).cause().isInstanceOf(ConnectException.class)
        .hasMessageContaining("127.0.0.2");
    assertThat(seen).isEmpty();
  }

  @Test
  void anAllowedLoopbackIsReachedAtTheJudgedAddressWithTheOriginalHost() throws Exception {
    Provider p = Providers.create(def("openai-compatible", "http://localhost:" + port + "/v1"), null, 2000, 5000,
        LOOPBACK_ALLOWED);
    assertThat(await(() -> p.open(client, chat())).statusCode()).isEqualTo(200);
    assertThat(await(() -> p.probe(client, 5000))).isTrue();
    assertThat(await(() -> p.probeModel(client, "m", 5000))).isEqualTo(200);
    assertThat(seen).containsExactly(
        "POST /v1/chat/completions host=localhost:" + port,
        "GET /v1/models host=localhost:" + port,
        "POST /v1/chat/completions host=localhost:" + port);
  }

  @Test
  void everyDialectGoesThroughTheGuard() throws Exception {
    String base = "http://localhost:" + port;
    Provider anthropic = Providers.create(def("anthropic", base), null, 2000, 5000, LOOPBACK_ALLOWED);
    Provider gemini = Providers.create(def("gemini", base + "/v1beta"), null, 2000, 5000, LOOPBACK_ALLOWED);
    assertThat(await(() -> anthropic.probe(client, 5000))).isTrue();
    assertThat(await(() -> ((AnthropicProvider) anthropic).countTokens(client, chat())).statusCode()).isEqualTo(200);
    assertThat(await(() -> gemini.probeModel(client, "g", 5000))).isEqualTo(200);
    assertThat(seen).containsExactly(
        "GET /v1/models?limit=1 host=localhost:" + port,
        "POST /v1/messages/count_tokens host=localhost:" + port,
        "POST /v1beta/models/g:generateContent host=localhost:" + port);
  }

  @Test
  void aLiteralAllowedAddressIsReachedToo() throws Exception {
    Provider p = Providers.create(def("openai-compatible", "http://127.0.0.1:" + port + "/v1"), null, 2000, 5000,
        new AddressGuard(false, List.of("127.0.0.1/32")));
    assertThat(await(() -> p.probeModel(client, "m", 5000))).isEqualTo(200);
    assertThat(seen).containsExactly("POST /v1/chat/completions host=127.0.0.1:" + port);
  }

  @Test
  void aRefusedAddressFailsEveryRequestLikeAConnectFailureAndNothingIsSent() {
    for (String kind : List.of("openai-compatible", "anthropic", "gemini", "simulator")) {
      for (String base : List.of("http://localhost:" + port + "/v1", "http://127.0.0.1:" + port + "/v1",
          "http://[::ffff:127.0.0.1]:" + port + "/v1")) {
        Provider p = Providers.create(def(kind, base), null, 2000, 5000, STRICT);
        for (var call : List.<java.util.function.Supplier<Future<?>>>of(() -> p.open(client, chat()),
            () -> p.probe(client, 5000), () -> p.probeModel(client, "m", 5000))) {
          assertThatThrownBy(() -> await(call::get)).as(kind + " " + base)
              .isInstanceOf(ExecutionException.class)
              .cause().isInstanceOf(ConnectException.class)
              .hasRootCauseInstanceOf(AddressGuard.Refused.class)
              .message().contains("The upstream host '").doesNotContain(SECRET);
        }
      }
    }
    assertThat(seen).isEmpty();
  }

  @Test
  void overTlsTheNameIsWhatSniAndTheCertificateCheckSee() throws Exception {
    SelfSignedCertificate cert = SelfSignedCertificate.create("localhost"); // no IP in it: 127.0.0.1 would not match
    List<String> names = new CopyOnWriteArrayList<>();
    HttpServer tls = vertx.createHttpServer(new HttpServerOptions().setSsl(true).setSni(true)
            .setKeyCertOptions(cert.keyCertOptions()))
        .requestHandler(req -> {
          names.add(req.connection().indicatedServerName() + " " + req.getHeader("host"));
          req.response().end("{}");
        })
        .listen(0, "127.0.0.1").await();
    // forceSni: the JDK itself leaves a dotless name such as localhost out of SNI; the gateway's names have dots
    HttpClient verifying = vertx.createHttpClient(new HttpClientOptions().setTrustOptions(cert.trustOptions())
        .setVerifyHost(true).setForceSni(true));
    try {
      int tlsPort = tls.actualPort();
      Provider byName = Providers.create(def("openai-compatible", "https://localhost:" + tlsPort + "/v1"), null,
          2000, 5000, LOOPBACK_ALLOWED);
      assertThat(await(() -> byName.probe(verifying, 5000))).isTrue();
      assertThat(names).containsExactly("localhost localhost:" + tlsPort);

      Provider byAddress = Providers.create(def("openai-compatible", "https://127.0.0.1:" + tlsPort + "/v1"), null,
          2000, 5000, LOOPBACK_ALLOWED);
      assertThatThrownBy(() -> await(() -> byAddress.probe(verifying, 5000)))
          .as("the certificate is checked, and against the name in the URL").isInstanceOf(ExecutionException.class)
          .rootCause().isInstanceOf(java.security.cert.CertificateException.class); // matched as an IP: none in it
    } finally {
      verifying.close().await();
      tls.close().await();
      cert.delete();
    }
  }

  @Test
  void offIsNoGuardAtAll() throws Exception {
    Provider p = Providers.create(def("openai-compatible", "http://127.0.0.1:" + port + "/v1"), null, 2000, 5000,
        AddressGuard.OFF);
    assertThat(await(() -> p.probe(client, 5000))).isTrue();
    assertThat(seen).containsExactly("GET /v1/models host=127.0.0.1:" + port);
  }
}
