package com.lijiaoqiao.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.lijiaoqiao.app.GatewayConfig;
import com.lijiaoqiao.billing.Money;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.Http;
import com.lijiaoqiao.testing.TestCallers;
import com.lijiaoqiao.testing.TestGateway;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Issue 9, item 5: random over-long and out-of-range values — strings up to 10 000 characters with unicode and
 * control characters, extreme dates, huge and negative numbers, wrong JSON types — at every write endpoint of the
 * management API over real HTTP. Every answer is below 500 (a 4xx in the error shape for bad input); after each
 * try a paid chat request is charged and reaches the ledger; at the end a restart on the same data succeeds.
 */
class ManagementBoundsPropertyTest {
  static final String CHAT = "{\"model\":\"gpt-4o-mini\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  static TestGateway gw;
  static String admin;
  static long adminId;
  static long otherTenant;

  record Call(String method, String path, String body, String idempotencyKey) {}

  @BeforeContainer
  static void start() {
    gw = TestGateway.start(Databases.Kind.H2, c -> {
      GatewayConfig.PriceSpec p = new GatewayConfig.PriceSpec();
      p.input = "0.15";
      p.output = "0.60";
      c.billing.models.put("gpt-4o-mini", p);
    });
    gw.gateway.api().callerResolver(new TestCallers());
    gw.gateway.billing().credit(gw.tenantId, 1_000_000_000L, "bounds-start", "start", null);
    adminId = gw.gateway.accounts().createUser("bounds-admin@test.local", "x", "Admin", gw.tenantId, "admin");
    admin = adminId + "," + gw.tenantId + ",admin";
    otherTenant = gw.gateway.accounts().createTenant("bounds other");
  }

  @AfterContainer
  static void restartOnTheSameData() throws Exception {
    if (gw == null) return;
    try {
      gw = gw.restart();
      paidChatReachesTheLedger();
    } finally {
      gw.close();
      gw = null;
    }
  }

  // ---- hostile values ----

  static Arbitrary<String> text() {
    return Arbitraries.oneOf(
        Arbitraries.strings().withCharRange('\u0000', '\u007f').ofMaxLength(10_000),
        Arbitraries.strings().withCharRange('\u0080', '\ud7ff').ofMaxLength(800),
        Arbitraries.strings().alpha().numeric().withChars("-._:/ ").ofMinLength(1).ofMaxLength(140),
        Arbitraries.of("", " ", "\u0000", "\n", "gpt-4o", "2030-01-01T00:00:00Z", "5.00", "x".repeat(129),
            "x".repeat(501), "http://127.0.0.1:1/" + "p".repeat(600), "10.0.0.0/8", "::1/129", "admin", "member"));
  }

  static final List<String> DATES = List.of("+999999999-12-31T23:59:59Z", "-999999999-01-01T00:00:00Z",
      "+999999999-12-31", "-999999999-01", "+999999999-12", "0000-01-01", "1969-12-31T23:59:59Z",
      "9999-12-31T23:59:59Z", "+10000-01-01T00:00:00Z", "2030-01-01T00:00:00Z", "2030-01-01", "2026-13",
      "2026-11", "2000-02-30", "1970-01");

  static final List<String> AMOUNTS = List.of("999999999999.999999", "1000000.000001", "1000000", "10000.000001",
      "0.000001", "0", "-1", "1e5", "5.00", "0.5", "1.0000001", "NaN", "9223372036854.775807");

  static final List<JsonNode> ODD = List.of(LongNode.valueOf(Long.MAX_VALUE), LongNode.valueOf(Long.MIN_VALUE),
      BigIntegerNode.valueOf(new BigInteger("123456789012345678901234567890")),
      BigIntegerNode.valueOf(BigInteger.TWO.pow(32).add(BigInteger.valueOf(5))),
      DoubleNode.valueOf(1e308), DoubleNode.valueOf(-1e308), DoubleNode.valueOf(1.5), DoubleNode.valueOf(-0.0),
      DecimalNode.valueOf(new BigDecimal("1e400")), LongNode.valueOf(0), LongNode.valueOf(-1),
      LongNode.valueOf(Integer.MAX_VALUE + 1L), BooleanNode.TRUE, NullNode.instance, NODES.arrayNode(),
      NODES.objectNode(), NODES.arrayNode().add(NODES.arrayNode().add(1)), NODES.objectNode().put("a", "b"));

  static Arbitrary<JsonNode> value() {
    return Arbitraries.frequencyOf(
        Tuple.of(4, text().map(t -> (JsonNode) TextNode.valueOf(t))),
        Tuple.of(2, Arbitraries.of(DATES).map(t -> (JsonNode) TextNode.valueOf(t))),
        Tuple.of(2, Arbitraries.of(AMOUNTS).map(t -> (JsonNode) TextNode.valueOf(t))),
        Tuple.of(2, Arbitraries.longs().map(n -> (JsonNode) LongNode.valueOf(n))),
        Tuple.of(2, Arbitraries.of(ODD)),
        Tuple.of(2, text().list().ofMaxSize(300).map(l -> {
          var a = NODES.arrayNode();
          l.forEach(s -> a.add(s.length() > 200 ? s.substring(0, 200) : s));
          return (JsonNode) a;
        })),
        Tuple.of(1, Arbitraries.maps(text().map(s -> s.length() > 150 ? s.substring(0, 150) : s), text())
            .ofMaxSize(20).map(m -> {
              ObjectNode o = NODES.objectNode();
              m.forEach(o::put);
              return (JsonNode) o;
            })));
  }

  /** A JSON object with some of {@code fields} set to hostile values, or (sometimes) a body that is not one. */
  static Arbitrary<String> body(String... fields) {
    Arbitrary<String> object = Arbitraries.subsetOf(fields).flatMap(chosen -> {
      List<String> names = new ArrayList<>(chosen);
      return value().list().ofSize(names.size()).map(values -> {
        ObjectNode o = NODES.objectNode();
        for (int i = 0; i < names.size(); i++) o.set(names.get(i), values.get(i));
        return o.toString();
      });
    });
    return Arbitraries.frequencyOf(Tuple.of(9, object),
        Tuple.of(1, Arbitraries.of("[]", "\"x\"", "42", "null", "{", "{\"a\":", "{\"amount\":1e999999}")));
  }

  /**
   * A path segment that names nothing real (never a small id of an existing object). At most 200 characters:
   * a longer request line is the HTTP edge's to refuse, not the management API's.
   */
  static Arbitrary<String> segment() {
    return Arbitraries.oneOf(text().map(s -> s.length() > 200 ? s.substring(0, 200) : s)
            .filter(s -> !s.isEmpty() && !s.matches("\\d{1,6}")),
        Arbitraries.of("99999999999999999999", "-1", "0", "9223372036854775807", "%00", "..")).map(ManagementBoundsPropertyTest::enc);
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  static Arbitrary<String> query(String... names) {
    return Arbitraries.subsetOf(names).flatMap(chosen -> {
      List<String> ns = new ArrayList<>(chosen);
      return Arbitraries.oneOf(Arbitraries.of(DATES), text().map(s -> s.length() > 100 ? s.substring(0, 100) : s))
          .list().ofSize(ns.size()).map(vs -> {
            StringBuilder q = new StringBuilder();
            for (int i = 0; i < ns.size(); i++) q.append(i == 0 ? "?" : "&").append(ns.get(i)).append('=').append(enc(vs.get(i)));
            return q.toString();
          });
    });
  }

  static Arbitrary<String> idempotencyKey() {
    return Arbitraries.oneOf(Arbitraries.strings().withCharRange('!', '~').ofMinLength(1).ofMaxLength(300),
        Arbitraries.of("a".repeat(128), "a".repeat(129), "a".repeat(200)));
  }

  @Provide
  Arbitrary<List<Call>> calls() {
    return call().list().ofMinSize(1).ofMaxSize(6);
  }

  static Arbitrary<Call> call() {
    return Arbitraries.oneOf(
        body("name", "description", "allowed_models", "allowed_ips", "rpm_limit", "tpm_limit", "expires_at", "user_id")
            .map(b -> new Call("POST", "/v1/keys", b, null)),
        segment().map(id -> new Call("DELETE", "/v1/keys/" + id, null, null)),
        segment().map(id -> new Call("POST", "/v1/keys/" + id + "/rotate", null, null)),
        body("name", "role", "password", "old_password").map(b -> new Call("PUT", "/v1/users/" + adminId, b, null)),
        body("email", "password", "name", "role", "tenant_id").map(b -> new Call("POST", "/admin/users", b, null)),
        segment().map(id -> new Call("POST", "/admin/users/" + id + "/disable", null, null)),
        body("code").map(b -> new Call("POST", "/v1/billing/redeem", b, null)),
        Combinators.combine(body("amount", "note"), idempotencyKey())
            .as((b, k) -> new Call("POST", "/admin/tenants/" + otherTenant + "/credit", b, k)),
        body("amount", "count", "expires_at").map(b -> new Call("POST", "/admin/redemption-codes", b, null)),
        Combinators.combine(segment(), body("input", "output", "cached_input", "cache_write_input", "max_output_tokens"))
            .as((m, b) -> new Call("PUT", "/admin/models/prop-" + m, b, null)),
        body("id", "kind", "base_url", "credential", "api_key", "models", "capabilities", "streaming", "tools",
            "vision", "max_context", "tier", "quality", "input_price", "output_price", "owned_by", "enabled")
            .map(b -> new Call("POST", "/admin/providers", b, null)),
        Combinators.combine(segment(), body("kind", "base_url", "models", "max_context", "tier", "quality", "owned_by"))
            .as((id, b) -> new Call("PUT", "/admin/providers/" + id, b, null)),
        query("from", "to", "model", "key_id", "group_by", "format", "page", "page_size")
            .map(q -> new Call("GET", "/v1/billing/usage" + q, null, null)),
        segment().map(p -> new Call("GET", "/v1/billing/invoices/" + p, null, null)));
  }

  static Http.Reply send(Call c) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gw.baseUrl().replaceAll("/v1$", "") + c.path()))
        .timeout(Duration.ofSeconds(30)).header(TestCallers.HEADER, admin);
    if (c.idempotencyKey() != null) b.header("Idempotency-Key", c.idempotencyKey());
    if (c.body() != null) {
      b.header("content-type", "application/json").method(c.method(), HttpRequest.BodyPublishers.ofString(c.body()));
    } else {
      b.method(c.method(), HttpRequest.BodyPublishers.noBody());
    }
    return Http.send(b.build());
  }

  static void assertErrorShape(Http.Reply r) {
    JsonNode err = r.json().get("error");
    assertThat(err).as(r.body()).isNotNull();
    assertThat(err.get("code").asText()).isNotBlank();
    assertThat(err.get("message").asText()).isNotBlank();
    assertThat(err.get("trace_id").asText()).isEqualTo(r.header("x-request-id"));
    if (r.status() == 400) assertThat(err.get("code").asText()).isEqualTo("COMMON_001");
  }

  @Property(tries = 250)
  void everyWriteEndpointAnswersBelow500AndTheBooksKeepShipping(@ForAll("calls") List<Call> calls) throws Exception {
    for (Call c : calls) {
      Http.Reply r = send(c);
      String what = c.method() + " " + (c.path().length() > 200 ? c.path().substring(0, 200) : c.path());
      assertThat(r.status()).as(what + " → " + r.body()).isLessThan(500);
      if (r.status() >= 400) assertErrorShape(r);
    }
    paidChatReachesTheLedger();
  }

  static void paidChatReachesTheLedger() throws Exception {
    Http.Reply r = Http.postJson(gw.baseUrl() + "/chat/completions", gw.apiKey, CHAT);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(Money.parse(r.header("x-ljq-cost"), true)).isPositive();
    String id = r.header("x-request-id");
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      try (var c = gw.gateway.database().dataSource().getConnection();
           var ps = c.prepareStatement("SELECT amount_micros FROM billing_records WHERE request_id = ?")) {
        ps.setString(1, id);
        try (var rs = ps.executeQuery()) {
          if (rs.next()) {
            assertThat(rs.getLong(1)).isEqualTo(Money.parse(r.header("x-ljq-cost"), true));
            return;
          }
        }
      }
      if (System.nanoTime() > deadline) throw new AssertionError("the charge of " + id + " never reached the ledger");
      Thread.sleep(20);
    }
  }

  // ---- the inputs found in issue 9 ----

  static void assertNamesField(Http.Reply r, String field) {
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertErrorShape(r);
    assertThat(r.json().at("/error/details/field").asText()).as(r.body()).isEqualTo(field);
  }

  @Example
  void theSevenInputsThatAnswered500AreA400NamingTheField() {
    String far = "+999999999-12-31T23:59:59Z";
    assertNamesField(send(new Call("POST", "/v1/keys", "{\"expires_at\":\"" + far + "\"}", null)), "expires_at");
    assertNamesField(send(new Call("POST", "/admin/redemption-codes", "{\"amount\":\"1.00\",\"expires_at\":\"" + far + "\"}",
        null)), "expires_at");
    assertNamesField(send(new Call("GET", "/v1/billing/usage?to=" + enc("-999999999-01-01T00:00:00Z"), null, null)), "to");
    assertNamesField(send(new Call("GET", "/v1/billing/invoices/-999999999-01", null, null)), "period");
    assertNamesField(send(new Call("POST", "/admin/providers", "{\"id\":\"long-url\",\"kind\":\"openai-compatible\","
        + "\"base_url\":\"http://127.0.0.1:1/" + "p".repeat(500) + "\",\"models\":[\"m\"]}", null)), "base_url");
    assertNamesField(send(new Call("POST", "/admin/providers", "{\"id\":\"long-owner\",\"kind\":\"openai-compatible\","
        + "\"base_url\":\"http://127.0.0.1:1\",\"models\":[\"m\"],\"owned_by\":\"" + "o".repeat(10_000) + "\"}", null)),
        "owned_by");
    assertNamesField(send(new Call("POST", "/admin/tenants/" + otherTenant + "/credit", "{\"amount\":\"1.00\"}",
        "k".repeat(200))), "Idempotency-Key");
  }

  @Example
  void aChatWithAnOverLongModelCannotStopTheBooks() throws Exception {
    Http.Reply r = Http.postJson(gw.baseUrl() + "/chat/completions", gw.apiKey,
        "{\"model\":\"" + "m".repeat(129) + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertThat(r.status()).as(r.body()).isBetween(400, 499);
    paidChatReachesTheLedger();
    assertThat(Files.exists(gw.dataDir.resolve("journal/settlements.rejected"))).isFalse();
  }

  @Example
  void boundsAtTheirLimitsAreAccepted() {
    assertThat(send(new Call("POST", "/admin/tenants/" + otherTenant + "/credit", "{\"amount\":\"1000000.00\"}",
        "k".repeat(128))).status()).isEqualTo(200);
    assertThat(send(new Call("PUT", "/admin/models/" + "m".repeat(128), "{\"input\":\"10000.00\",\"output\":\"10000\"}",
        null)).status()).isEqualTo(200);
    assertThat(send(new Call("POST", "/admin/redemption-codes", "{\"amount\":\"1.00\",\"expires_at\":\"9999-12-31T23:59:59Z\"}",
        null)).status()).isEqualTo(201);
    assertThat(send(new Call("GET", "/v1/billing/invoices/9999-12", null, null)).status()).isEqualTo(200);
    assertThat(send(new Call("GET", "/v1/billing/usage?from=1970-01-01&to=9999-12-31", null, null)).status()).isEqualTo(200);
    Map.of("name", "n".repeat(100), "description", "d".repeat(200)).forEach((f, v) -> {
      Http.Reply r = send(new Call("POST", "/v1/keys", "{\"" + f + "\":\"" + v + "\"}", null));
      assertThat(r.status()).as(r.body()).isIn(201, 400); // 400 only once the per-user key cap is reached
    });
  }
}
