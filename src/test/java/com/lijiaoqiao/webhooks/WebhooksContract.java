package com.lijiaoqiao.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.events.DomainEvent;
import com.lijiaoqiao.events.EventTypes;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.Http;
import com.lijiaoqiao.testing.TestCallers;
import com.lijiaoqiao.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Webhooks end to end through HTTP, with a real receiver on loopback (the only private address allowed): a low balance
 * reaches a tenant's endpoint exactly once, signed as docs/webhooks.md says; a failing receiver is retried with growing
 * gaps, every attempt logged, until the endpoint is disabled with a webhook.disabled event; private addresses are
 * refused at create and at connect; another tenant's endpoint is 404; the secret is shown only at create and rotate.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
abstract class WebhooksContract {
  TestGateway gw;
  Receiver receiver;
  int seq;

  abstract Databases.Kind database();

  @BeforeAll
  void start() throws Exception {
    receiver = new Receiver();
    gw = TestGateway.start(database(), c -> {
      c.webhooks.allowedAddresses.add("127.0.0.1/32"); // the receiver; every other private address stays refused
      c.webhooks.pollIntervalMs = 10;
      c.webhooks.timeoutMs = 2_000;
      c.webhooks.retryBaseMs = 100;
      c.webhooks.retryMaxMs = 800;
      c.webhooks.retryWindowMs = 10_000;
      c.webhooks.retryJitter = false; // the gaps are the caps: 100, 200, 400, 800 ms
      c.webhooks.disableAfterMs = 1_500;
      c.webhooks.disableAfterFailures = 5;
      c.events.relayIntervalMs = 20;
      com.lijiaoqiao.app.GatewayConfig.PriceSpec p = new com.lijiaoqiao.app.GatewayConfig.PriceSpec();
      p.input = "10.00";
      p.output = "30.00";
      c.billing.models.put("gpt-4o-mini", p); // a request costs enough to cross the threshold
    });
    gw.gateway.api().callerResolver(new TestCallers());
  }

  @AfterAll
  void stop() throws Exception {
    if (gw != null) gw.close();
    if (receiver != null) receiver.close();
  }

  /** A new tenant with a tenant admin: [caller, tenant id, user id]. */
  String[] tenant(String role) {
    long t = gw.gateway.accounts().createTenant("t" + (++seq));
    long u = gw.gateway.accounts().createUser("wh-" + seq + "-" + System.nanoTime() + "@t.local", "x", "U", t, role);
    return new String[] {u + "," + t + "," + role, Long.toString(t), Long.toString(u)};
  }

  Http.Reply call(String method, String path, String caller, String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.gateway.port() + path))
        .header(TestCallers.HEADER, caller).header("authorization", "Bearer test.session.token")
        .header("content-type", "application/json");
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return Http.send(b.build());
  }

  JsonNode create(String caller, String path, String types) {
    Http.Reply r = call("POST", "/v1/webhooks", caller, "{\"url\":\"" + receiver.url(path) + "\",\"event_types\":"
        + types + ",\"description\":\"test\"}");
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.json();
  }

  void append(String type, long tenant, Map<String, ?> payload) {
    gw.gateway.outbox().append(List.of(DomainEvent.of(type, tenant, payload)));
  }

  static void await(String what, long timeoutMs, BooleanSupplier done) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (!done.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) throw new AssertionError("timed out waiting for " + what);
      Thread.sleep(10);
    }
  }

  /** The documented check, written out as a receiver would (not the gateway's own code). */
  static boolean verifies(String secret, Receiver.Call c) throws Exception {
    String header = c.header("X-Webhook-Signature");
    String t = null;
    String v1 = null;
    for (String part : header.split(",")) {
      if (part.startsWith("t=")) t = part.substring(2);
      if (part.startsWith("v1=")) v1 = part.substring(3);
    }
    if (t == null || v1 == null || !t.equals(c.header("X-Webhook-Timestamp"))) return false;
    if (Math.abs(System.currentTimeMillis() / 1000 - Long.parseLong(t)) > 300) return false;
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    String expected = HexFormat.of().formatHex(mac.doFinal((t + "." + c.body()).getBytes(StandardCharsets.UTF_8)));
    return java.security.MessageDigest.isEqual(expected.getBytes(), v1.getBytes());
  }

  long count(String sql, Object... args) throws Exception {
    try (var c = gw.gateway.database().dataSource().getConnection(); var ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) ps.setObject(i + 1, args[i]);
      try (var rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  void execute(String sql, Object... args) throws Exception {
    try (var c = gw.gateway.database().dataSource().getConnection(); var ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) ps.setObject(i + 1, args[i]);
      ps.executeUpdate();
    }
  }

  @Test
  void aLowBalanceIsDeliveredOnceSignedAsDocumented() throws Exception {
    String[] admin = tenant("tenant_admin");
    long tenant = Long.parseLong(admin[1]);
    JsonNode hook = create(admin[0], "/low", "[\"billing.low_balance\"]");
    String secret = hook.get("secret").asText();
    assertThat(secret).startsWith("whsec_");

    // The real trigger: a request takes the wallet below the 1.00 default threshold.
    long member = gw.gateway.accounts().createUser("m-" + System.nanoTime() + "@t.local", "x", "M", tenant, "member");
    String key = gw.gateway.keyIssuer().issue(member, tenant, "k", Set.of(), 1000, 10_000_000, null).secret();
    gw.gateway.billing().credit(tenant, 1_000_010, "wh-low-" + tenant, null, null);
    Http.Reply chat = Http.postJson(gw.baseUrl() + "/chat/completions", key,
        "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":16}");
    assertThat(chat.status()).as(chat.body()).isEqualTo(200);
    await("the low-balance delivery", 20_000, () -> !receiver.at("/low").isEmpty());

    Receiver.Call c = receiver.at("/low").get(0);
    JsonNode body = Http.JSON.readTree(c.body());
    assertThat(body.get("type").asText()).isEqualTo(EventTypes.LOW_BALANCE);
    assertThat(body.get("tenant_id").asLong()).isEqualTo(tenant);
    assertThat(body.get("id").asText()).startsWith("evt_").isEqualTo(c.header("X-Webhook-Id"));
    assertThat(body.get("created_at").asText()).isNotBlank();
    assertThat(body.get("data").get("threshold").asText()).isEqualTo("1.00");
    assertThat(c.header("X-Webhook-Event")).isEqualTo(EventTypes.LOW_BALANCE);
    assertThat(c.header("content-type")).startsWith("application/json");
    assertThat(verifies(secret, c)).isTrue();
    assertThat(verifies(secret + "x", c)).isFalse();
    assertThat(WebhookSignature.verify(secret, c.header("X-Webhook-Signature"), c.body(),
        System.currentTimeMillis() / 1000 + 301, 300)).as("older than 5 minutes is refused").isFalse();

    // The bus hands the event over again (at least once): still one delivery, one call.
    String eventId = body.get("id").asText();
    execute("UPDATE events SET published_at = NULL WHERE event_id = ?", eventId);
    await("the event published again", 10_000, () -> {
      try {
        return count("SELECT COUNT(*) FROM events WHERE event_id = ? AND published_at IS NULL", eventId) == 0;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    Thread.sleep(300);
    assertThat(receiver.at("/low")).hasSize(1);
    assertThat(count("SELECT COUNT(*) FROM webhook_deliveries WHERE event_id = ?", eventId)).isEqualTo(1);

    JsonNode log = call("GET", "/v1/webhooks/" + hook.get("id").asLong() + "/deliveries", admin[0], null).json();
    assertThat(log.get("pagination").get("total").asLong()).isEqualTo(1);
    JsonNode d = log.get("data").get(0);
    assertThat(d.get("status").asText()).isEqualTo("delivered");
    assertThat(d.get("event_id").asText()).isEqualTo(eventId);
    assertThat(d.get("log")).hasSize(1);
    assertThat(d.get("log").get(0).get("status_code").asInt()).isEqualTo(200);
    assertThat(d.get("log").get(0).get("duration_ms").asLong()).isGreaterThanOrEqualTo(0);
  }

  @Test
  void aFailingReceiverIsRetriedWithGrowingGapsUntilTheEndpointIsDisabled() throws Exception {
    String[] admin = tenant("supplier"); // suppliers manage their tenant's webhooks too
    long tenant = Long.parseLong(admin[1]);
    receiver.statusByPath.put("/fail", 500);
    JsonNode failing = create(admin[0], "/fail", "[\"key.created\"]");
    long failingId = failing.get("id").asLong();
    JsonNode watcher = create(admin[0], "/watch", "[\"webhook.disabled\"]");
    append(EventTypes.KEY_CREATED, tenant, Map.of("key_id", 42));

    await("the endpoint disabled", 30_000, () ->
        !call("GET", "/v1/webhooks/" + failingId, admin[0], null).json().get("enabled").asBoolean());
    List<Receiver.Call> tries = receiver.at("/fail");
    assertThat(tries.size()).isGreaterThanOrEqualTo(5);
    List<Long> gaps = new ArrayList<>();
    for (int i = 1; i < 5; i++) gaps.add(tries.get(i).atMs() - tries.get(i - 1).atMs());
    assertThat(gaps.get(0)).isGreaterThanOrEqualTo(90);
    for (int i = 1; i < gaps.size(); i++) assertThat(gaps.get(i)).as("gaps " + gaps).isGreaterThan(gaps.get(i - 1));
    for (Receiver.Call c : tries) assertThat(verifies(failing.get("secret").asText(), c)).isTrue();

    JsonNode d = call("GET", "/v1/webhooks/" + failingId + "/deliveries", admin[0], null).json().get("data").get(0);
    assertThat(d.get("status").asText()).isEqualTo("failed");
    assertThat(d.get("attempts").asInt()).isEqualTo(tries.size());
    assertThat(d.get("log")).hasSize(tries.size());
    for (JsonNode a : d.get("log")) {
      assertThat(a.get("status_code").asInt()).isEqualTo(500);
      assertThat(a.get("error_class").asText()).isEqualTo("http_status");
      assertThat(a.get("next_attempt_at").isNull()).isFalse();
      assertThat(a.get("response_prefix").asText()).startsWith("no thanks x").hasSizeLessThanOrEqualTo(200);
    }
    JsonNode ep = call("GET", "/v1/webhooks/" + failingId, admin[0], null).json();
    assertThat(ep.get("disabled_reason").asText()).contains("HTTP 500");

    // The webhook.disabled event went to the outbox, and on to the tenant's other endpoint.
    assertThat(count("SELECT COUNT(*) FROM events WHERE type = 'webhook.disabled' AND tenant_id = ?", tenant))
        .isEqualTo(1);
    await("the webhook.disabled delivery", 10_000, () -> !receiver.at("/watch").isEmpty());
    JsonNode disabled = Http.JSON.readTree(receiver.at("/watch").get(0).body());
    assertThat(disabled.get("type").asText()).isEqualTo(EventTypes.WEBHOOK_DISABLED);
    assertThat(disabled.get("data").get("endpoint_id").asLong()).isEqualTo(failingId);
    assertThat(verifies(watcher.get("secret").asText(), receiver.at("/watch").get(0))).isTrue();

    // Redelivery waits for the endpoint to be enabled again; then it goes out at once.
    String redeliver = "/v1/webhooks/" + failingId + "/deliveries/" + d.get("id").asLong() + "/redeliver";
    Http.Reply refused = call("POST", redeliver, admin[0], null);
    assertThat(refused.status()).as(refused.body()).isEqualTo(409);
    assertThat(refused.json().get("error").get("code").asText()).isEqualTo("WEBHOOK_4091");
    Http.Reply enabled = call("PUT", "/v1/webhooks/" + failingId, admin[0], "{\"enabled\":true,\"url\":\""
        + receiver.url("/fixed") + "\"}");
    assertThat(enabled.status()).as(enabled.body()).isEqualTo(200);
    assertThat(enabled.json().get("consecutive_failures").asInt()).isZero();
    assertThat(call("POST", redeliver, admin[0], null).status()).isEqualTo(202);
    await("the redelivery", 10_000, () -> !receiver.at("/fixed").isEmpty());
    assertThat(receiver.at("/fixed").get(0).header("X-Webhook-Id")).isEqualTo(tries.get(0).header("X-Webhook-Id"));
    await("the redelivery logged", 10_000, () -> "delivered".equals(call("GET", "/v1/webhooks/" + failingId
        + "/deliveries/" + d.get("id").asLong(), admin[0], null).json().get("status").asText()));
  }

  @Test
  void privateAddressesAreRefusedAtCreateAndAtConnect() throws Exception {
    String[] admin = tenant("tenant_admin");
    for (String url : new String[] {"http://10.1.2.3/h", "http://169.254.169.254/latest/meta-data",
        "http://[::1]:8080/h", "http://localhost:1/h", "http://127.1/h", "ftp://example.com/h",
        "http://user:pw@example.com/h"}) {
      Http.Reply r = call("POST", "/v1/webhooks", admin[0], "{\"url\":\"" + url + "\",\"event_types\":[\"*\"]}");
      assertThat(r.status()).as(url + " " + r.body()).isEqualTo(400);
      assertThat(r.json().get("error").get("details").get("field").asText()).isEqualTo("url");
    }
    JsonNode hook = create(admin[0], "/never", "[\"*\"]");
    long id = hook.get("id").asLong();
    Http.Reply moved = call("PUT", "/v1/webhooks/" + id, admin[0], "{\"url\":\"http://192.168.0.10/h\"}");
    assertThat(moved.status()).as(moved.body()).isEqualTo(400);
    assertThat(call("POST", "/v1/webhooks", admin[0], "{\"url\":\"" + receiver.url("/x")
        + "\",\"event_types\":[\"request.completed\"]}").status()).isEqualTo(400); // not a notification

    // A URL that is private by the time of the call (here: changed behind the API's back) is judged again.
    execute("UPDATE webhook_endpoints SET url = ? WHERE id = ?", "http://10.9.9.9:1/h", id);
    append(EventTypes.KEY_DISABLED, Long.parseLong(admin[1]), Map.of("key_id", 7));
    await("the refused attempt", 15_000, () -> {
      JsonNode data = call("GET", "/v1/webhooks/" + id + "/deliveries", admin[0], null).json().get("data");
      return data.size() == 1 && data.get(0).get("log").size() >= 1;
    });
    JsonNode a = call("GET", "/v1/webhooks/" + id + "/deliveries", admin[0], null).json().get("data").get(0)
        .get("log").get(0);
    assertThat(a.get("error_class").asText()).isEqualTo("address_refused");
    assertThat(a.get("status_code").isNull()).isTrue();
    assertThat(receiver.at("/never")).isEmpty();
    assertThat(call("DELETE", "/v1/webhooks/" + id, admin[0], null).status()).isEqualTo(204);
  }

  @Test
  void redirectsAreNotFollowedAndSilenceTimesOut() throws Exception {
    String[] admin = tenant("tenant_admin");
    long tenant = Long.parseLong(admin[1]);
    receiver.statusByPath.put("/moved", 302);
    receiver.statusByPath.put("/hang", -1);
    long moved = create(admin[0], "/moved", "[\"risk.review\"]").get("id").asLong();
    long hang = create(admin[0], "/hang", "[\"risk.review\"]").get("id").asLong();
    append(EventTypes.RISK_REVIEW, tenant, Map.of("request_id", "req_1"));
    await("both first attempts logged", 15_000, () -> {
      JsonNode a = call("GET", "/v1/webhooks/" + moved + "/deliveries", admin[0], null).json().get("data");
      JsonNode b = call("GET", "/v1/webhooks/" + hang + "/deliveries", admin[0], null).json().get("data");
      return a.size() == 1 && a.get(0).get("log").size() >= 1 && b.size() == 1 && b.get(0).get("log").size() >= 1;
    });
    JsonNode redirect = call("GET", "/v1/webhooks/" + moved + "/deliveries", admin[0], null).json().get("data").get(0)
        .get("log").get(0);
    assertThat(redirect.get("status_code").asInt()).isEqualTo(302);
    assertThat(redirect.get("error_class").asText()).isEqualTo("http_status");
    JsonNode silent = call("GET", "/v1/webhooks/" + hang + "/deliveries", admin[0], null).json().get("data").get(0)
        .get("log").get(0);
    assertThat(silent.get("error_class").asText()).isEqualTo("timeout");
    assertThat(silent.get("status_code").isNull()).isTrue();
    assertThat(silent.get("duration_ms").asLong()).isBetween(1_900L, 5_000L); // webhooks.timeout_ms = 2000
    assertThat(receiver.at("/followed")).isEmpty();
    call("DELETE", "/v1/webhooks/" + moved, admin[0], null);
    call("DELETE", "/v1/webhooks/" + hang, admin[0], null);
  }

  @Test
  void anotherTenantsEndpointIsNotFoundAndMembersMayNotManage() {
    String[] a = tenant("tenant_admin");
    String[] b = tenant("tenant_admin");
    JsonNode hook = create(a[0], "/a", "[\"billing.low_balance\"]");
    long id = hook.get("id").asLong();
    String base = "/v1/webhooks/" + id;
    String[][] calls = {{"GET", base, null}, {"PUT", base, "{\"description\":\"mine\"}"}, {"DELETE", base, null},
        {"POST", base + "/rotate-secret", null}, {"GET", base + "/deliveries", null},
        {"GET", base + "/deliveries/1", null}, {"POST", base + "/deliveries/1/redeliver", null}};
    for (String[] c : calls) {
      Http.Reply r = call(c[0], c[1], b[0], c[2]);
      assertThat(r.status()).as(c[0] + " " + c[1] + " " + r.body()).isEqualTo(404);
      assertThat(r.json().get("error").get("message").asText()).isEqualTo("Not found.");
    }
    assertThat(call("GET", "/v1/webhooks", b[0], null).json().get("data")).isEmpty();
    String member = gw.userId + "," + a[1] + ",member";
    assertThat(call("GET", "/v1/webhooks", member, null).status()).isEqualTo(403);
    assertThat(call("GET", base, member, null).status()).isEqualTo(403);
    assertThat(call("GET", base, TestCallers.admin(), null).status()).isEqualTo(403); // operators use /admin
    Http.Reply viaAdmin = call("GET", "/admin/webhooks/" + id, TestCallers.admin(), null);
    assertThat(viaAdmin.status()).isEqualTo(200);
    assertThat(viaAdmin.json().get("tenant_id").asLong()).isEqualTo(Long.parseLong(a[1]));
    assertThat(call("GET", "/admin/webhooks", a[0], null).status()).isEqualTo(403);
    assertThat(call("GET", base, a[0], null).json().get("description").asText()).isEqualTo("test");
  }

  @Test
  void operatorsEndpointsGetEveryTenantsEventsOrOneTenants() throws Exception {
    String[] a = tenant("tenant_admin");
    String[] b = tenant("tenant_admin");
    Http.Reply all = call("POST", "/admin/webhooks", TestCallers.admin(), "{\"url\":\"" + receiver.url("/ops-all")
        + "\",\"event_types\":[\"settlement.completed\"]}");
    assertThat(all.status()).as(all.body()).isEqualTo(201);
    assertThat(all.json().get("tenant_id").isNull()).isTrue();
    Http.Reply onlyB = call("POST", "/admin/webhooks", TestCallers.admin(), "{\"url\":\"" + receiver.url("/ops-b")
        + "\",\"event_types\":[\"settlement.completed\"],\"filter_tenant_id\":" + b[1] + "}");
    assertThat(onlyB.status()).as(onlyB.body()).isEqualTo(201);
    assertThat(call("POST", "/v1/webhooks", a[0], "{\"url\":\"" + receiver.url("/x") + "\",\"event_types\":[\"*\"],"
        + "\"filter_tenant_id\":" + b[1] + "}").status()).isEqualTo(400);
    append(EventTypes.SETTLEMENT_COMPLETED, Long.parseLong(a[1]), Map.of("payout_id", 1));
    append(EventTypes.SETTLEMENT_COMPLETED, Long.parseLong(b[1]), Map.of("payout_id", 2));
    await("the operators' deliveries", 10_000, () -> receiver.at("/ops-all").size() == 2
        && receiver.at("/ops-b").size() == 1);
    Thread.sleep(200);
    assertThat(receiver.at("/ops-b")).hasSize(1);
    assertThat(Http.JSON.readTree(receiver.at("/ops-b").get(0).body()).get("tenant_id").asLong())
        .isEqualTo(Long.parseLong(b[1]));
    JsonNode platform = call("GET", "/admin/webhooks?owner=platform", TestCallers.admin(), null).json();
    assertThat(platform.get("data")).allSatisfy(e -> assertThat(e.get("tenant_id").isNull()).isTrue());
    assertThat(call("GET", "/admin/webhooks/" + all.json().get("id").asLong() + "/deliveries", TestCallers.admin(),
        null).json().get("pagination").get("total").asLong()).isEqualTo(2);
  }

  @Test
  void theSecretIsShownOnlyAtCreateAndRotate() throws Exception {
    String[] admin = tenant("tenant_admin");
    long tenant = Long.parseLong(admin[1]);
    JsonNode hook = create(admin[0], "/secret", "[\"billing.balance_depleted\"]");
    long id = hook.get("id").asLong();
    String first = hook.get("secret").asText();
    append(EventTypes.BALANCE_DEPLETED, tenant, Map.of("balance", "0.00"));
    await("the first delivery", 10_000, () -> receiver.at("/secret").size() == 1);
    assertThat(verifies(first, receiver.at("/secret").get(0))).isTrue();

    Http.Reply rotated = call("POST", "/v1/webhooks/" + id + "/rotate-secret", admin[0], null);
    assertThat(rotated.status()).as(rotated.body()).isEqualTo(200);
    String second = rotated.json().get("secret").asText();
    assertThat(second).startsWith("whsec_").isNotEqualTo(first);
    append(EventTypes.BALANCE_DEPLETED, tenant, Map.of("balance", "0.00"));
    await("the second delivery", 10_000, () -> receiver.at("/secret").size() == 2);
    assertThat(verifies(second, receiver.at("/secret").get(1))).isTrue();
    assertThat(verifies(first, receiver.at("/secret").get(1))).isFalse();

    List<String> seen = new ArrayList<>();
    seen.add(call("GET", "/v1/webhooks", admin[0], null).body());
    seen.add(call("GET", "/v1/webhooks/" + id, admin[0], null).body());
    seen.add(call("PUT", "/v1/webhooks/" + id, admin[0], "{\"description\":\"renamed\"}").body());
    seen.add(call("GET", "/v1/webhooks/" + id + "/deliveries", admin[0], null).body());
    seen.add(call("GET", "/admin/webhooks", TestCallers.admin(), null).body());
    seen.add(call("GET", "/admin/webhooks/" + id + "/deliveries", TestCallers.admin(), null).body());
    gw.gateway.audit().all().forEach(r -> seen.add(r.beforeJson() + " " + r.afterJson()));
    try (var c = gw.gateway.database().dataSource().getConnection(); var st = c.createStatement();
         var rs = st.executeQuery("SELECT payload FROM events")) {
      while (rs.next()) seen.add(rs.getString(1));
    }
    try (var c = gw.gateway.database().dataSource().getConnection(); var st = c.createStatement();
         var rs = st.executeQuery("SELECT d.body, e.secret_enc FROM webhook_deliveries d JOIN webhook_endpoints e "
             + "ON e.id = d.endpoint_id")) {
      while (rs.next()) seen.add(rs.getString(1) + " " + rs.getString(2));
    }
    for (Receiver.Call c : receiver.calls) seen.add(c.body() + " " + c.headers());
    assertThat(seen).noneMatch(s -> s.contains(first) || s.contains(second) || s.contains(first.substring(6))
        || s.contains(second.substring(6)));
    assertThat(gw.gateway.audit().all()).anySatisfy(r -> assertThat(r.action()).isEqualTo("webhook.rotate_secret"));
  }
}
