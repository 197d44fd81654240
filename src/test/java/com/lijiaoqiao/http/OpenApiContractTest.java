package com.lijiaoqiao.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.Http;
import com.lijiaoqiao.testing.TestCallers;
import com.lijiaoqiao.testing.TestGateway;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * /openapi.json against the gateway: every route the gateway serves (the management API's, the data plane's, the
 * operational ones) has an operation and every operation a route; live answers, successes and errors, validate
 * against the schema documented for their status; the description and its viewer are served, the viewer from the
 * gateway alone.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class OpenApiContractTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> METHODS = List.of("get", "put", "post", "delete", "patch", "head", "options");
  private static final Pattern PARAM = Pattern.compile("\\{[^}/]+}");

  TestGateway gw;
  JsonNode doc;
  String supplier;
  long supplierTenant;
  final SchemaRegistry schemas = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
  final Map<String, Schema> compiled = new HashMap<>();
  final List<String> mismatches = new ArrayList<>();
  final Set<String> covered = new TreeSet<>();
  int validated;

  @BeforeAll
  void start() throws Exception {
    try (InputStream in = getClass().getClassLoader().getResourceAsStream("openapi/openapi.json")) {
      doc = JSON.readTree(in);
    }
    gw = TestGateway.start(Databases.Kind.H2, c -> {
      c.webhooks.allowedAddresses.add("127.0.0.1/32");
      c.supply.allowedAddresses.add("127.0.0.1/32"); // the simulator, as a supplier's upstream
    });
    gw.gateway.api().callerResolver(new TestCallers());
    gw.gateway.billing().credit(gw.tenantId, 100_000_000, "oa-" + gw.tenantId, "start", null);
    supplierTenant = gw.gateway.accounts().createTenant("supplier co");
    long u = gw.gateway.accounts().createUser("sup-" + System.nanoTime() + "@t.local", "x", "S", supplierTenant, "supplier");
    supplier = u + "," + supplierTenant + ",supplier";
  }

  @AfterAll
  void stop() {
    if (gw != null) gw.close();
  }

  // ---- (1) routes and operations match ----

  @Test
  void everyRouteHasAnOperationAndEveryOperationARoute() {
    Set<String> served = new TreeSet<>();
    Map<String, ApiRouter.Access> access = new HashMap<>();
    for (ApiRouter.RouteInfo r : gw.gateway.api().routes()) {
      String k = r.method().name() + " " + normalize(r.template());
      served.add(k);
      access.put(k, r.access());
    }
    for (HttpFrontend.Route r : HttpFrontend.ROUTES) served.add(r.method().name() + " " + normalize(r.template()));
    for (String p : gw.gateway.ops().paths()) served.add("GET " + normalize(p));

    Set<String> documented = new TreeSet<>();
    Set<String> operationIds = new TreeSet<>();
    Set<String> tags = new TreeSet<>();
    doc.get("tags").forEach(t -> tags.add(t.get("name").asText()));
    List<String> incomplete = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = doc.get("paths").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> p = it.next();
      for (String m : METHODS) {
        JsonNode op = p.getValue().get(m);
        if (op == null) continue;
        String k = m.toUpperCase() + " " + normalize(p.getKey());
        documented.add(k);
        if (!op.hasNonNull("summary") || !op.has("responses") || !op.has("security")) incomplete.add(k + ": summary/responses/security");
        if (!operationIds.add(op.path("operationId").asText())) incomplete.add(k + ": duplicate operationId");
        op.path("tags").forEach(t -> {
          if (!tags.contains(t.asText())) incomplete.add(k + ": undeclared tag " + t.asText());
        });
        ApiRouter.Access a = access.get(k);
        if (a != null && !a.name().equals(op.path("x-ljq-access").asText())) {
          incomplete.add(k + ": x-ljq-access " + op.path("x-ljq-access").asText() + " but the route is " + a);
        }
      }
    }
    Set<String> undocumented = new TreeSet<>(served);
    undocumented.removeAll(documented);
    Set<String> unserved = new TreeSet<>(documented);
    unserved.removeAll(served);
    assertThat(undocumented).as("routes without an operation in openapi.json").isEmpty();
    assertThat(unserved).as("operations in openapi.json no route serves").isEmpty();
    assertThat(incomplete).as("incomplete operations").isEmpty();
    assertThat(documented).hasSizeGreaterThan(100);
  }

  /** {@code /v1/keys/{id}} and {@code /v1/keys/{key_id}} are the same route. */
  static String normalize(String template) {
    return PARAM.matcher(template).replaceAll("{}");
  }

  // ---- (2) live answers validate ----

  @Test
  void answersValidateAgainstTheirDocumentedSchemas() throws Exception {
    String admin = TestCallers.admin();
    String member = TestCallers.member(gw.userId, gw.tenantId);
    String tenantAdmin = gw.userId + "," + gw.tenantId + ",tenant_admin";
    String key = gw.apiKey;

    // Data plane: OpenAI.
    Http.Reply chat = data("POST", "/v1/chat/completions", key, "{\"model\":\"gpt-4o-mini\",\"max_tokens\":8,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    expect(chat, 200);
    expect(data("POST", "/v1/chat/completions", key, "{\"model\":\"gpt-4o-mini\"}"), 400);
    streamed(data("POST", "/v1/chat/completions", key, "{\"model\":\"gpt-4o-mini\",\"max_tokens\":8,\"stream\":true,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
    streamed(data("POST", "/v1/responses", key, "{\"model\":\"gpt-4o-mini\",\"input\":\"hi\",\"stream\":true}"));
    expect(data("POST", "/v1/chat/completions", null, "{\"model\":\"gpt-4o-mini\",\"messages\":[]}"), 401);
    expect(data("POST", "/v1/chat/completions", key, "{\"model\":\"no-such-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"), 0);
    expect(data("POST", "/v1/completions", key, "{\"model\":\"gpt-4o-mini\",\"prompt\":\"hi\",\"max_tokens\":8}"), 0);
    expect(data("POST", "/v1/embeddings", key, "{\"model\":\"text-embedding-3-small\",\"input\":\"hi\"}"), 200);
    expect(data("GET", "/v1/models", key, null), 200);
    expect(data("GET", "/v1/models", key, null, "anthropic-version", "2023-06-01"), 200);
    expect(send("GET", "/v1/models", null, "x-goog-api-key", key), 200);
    expect(send("GET", "/v1/models", null, "x-goog-api-key", "lgw-wrong"), 401);
    expect(data("GET", "/v1/models/gpt-4o-mini", key, null), 200);
    expect(data("GET", "/v1/models/no-such-model", key, null), 404);
    expect(data("GET", "/v1/models", "lgw-wrong", null), 401);
    Http.Reply resp = data("POST", "/v1/responses", key, "{\"model\":\"gpt-4o-mini\",\"input\":\"hi\",\"store\":true,"
        + "\"max_output_tokens\":16}");
    expect(resp, 200);
    if (resp.status() == 200) {
      String id = resp.json().get("id").asText();
      expect(data("GET", "/v1/responses/" + id, key, null), 200);
      expect(data("GET", "/v1/responses/" + id + "/input_items", key, null), 200);
      expect(data("DELETE", "/v1/responses/" + id, key, null), 200);
      expect(data("GET", "/v1/responses/" + id, key, null), 404);
    }
    expect(data("POST", "/v1/responses", key, "{\"model\":\"gpt-4o-mini\"}"), 400);

    // Anthropic.
    expect(data("POST", "/v1/messages", key, "{\"model\":\"claude-haiku-4-5\",\"max_tokens\":8,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "anthropic-version", "2023-06-01"), 200);
    expect(data("POST", "/v1/messages", key, "{\"model\":\"claude-haiku-4-5\"}"), 400);
    streamed(data("POST", "/v1/messages", key, "{\"model\":\"claude-haiku-4-5\",\"max_tokens\":8,\"stream\":true,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "anthropic-version", "2023-06-01"));
    expect(send("POST", "/v1/messages", "{}", "x-api-key", "lgw-wrong"), 401);
    expect(data("POST", "/v1/messages/count_tokens", key, "{\"model\":\"claude-haiku-4-5\","
        + "\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]}"), 200);

    // Gemini.
    String g = "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}";
    expect(send("POST", "/v1beta/models/gemini-2.5-flash:generateContent", g, "x-goog-api-key", key), 200);
    expect(send("POST", "/v1beta/models/gemini-2.5-flash:countTokens", g, "x-goog-api-key", key), 200);
    expect(send("POST", "/v1beta/models/gemini-2.5-flash:streamGenerateContent", g, "x-goog-api-key", key), 400);
    streamed(send("POST", "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", g, "x-goog-api-key", key));
    expect(send("POST", "/v1beta/models/gemini-2.5-flash:generateContent", g, "x-goog-api-key", "lgw-wrong"), 401);
    expect(send("POST", "/v1beta/models/gemini-2.5-flash:generateContent", "{\"contents\":5}", "x-goog-api-key", key), 400);
    expect(send("POST", "/v1/models/gemini-2.5-flash:generateContent", g, "x-goog-api-key", key), 200);
    expect(send("POST", "/v1/models/gemini-2.5-flash:countTokens", g, "x-goog-api-key", key), 200);
    streamed(send("POST", "/v1/models/gemini-2.5-flash:streamGenerateContent?alt=sse", g, "x-goog-api-key", key));
    expect(send("GET", "/v1beta/models", null, "x-goog-api-key", key), 200);
    expect(send("GET", "/v1beta/models/gemini-2.5-flash", null, "x-goog-api-key", key), 200);
    expect(send("GET", "/v1beta/models/nope", null, "x-goog-api-key", key), 404);

    // Operations.
    for (String p : List.of("/health", "/healthz", "/ready", "/")) {
      expect(send("GET", p, null), 200);
      expect(send("HEAD", p, null), 200);
    }
    expect(send("GET", "/openapi.json", null), 200);
    expect(send("GET", "/docs", null), 301);
    expect(send("GET", "/docs/", null), 200);

    // Auth.
    expect(mgmt("POST", "/v1/auth/token", null, "{\"email\":\"nobody@t.local\",\"password\":\"wrong-password\"}"), 401);
    expect(mgmt("POST", "/v1/auth/token", null, "{\"email\":\"nobody@t.local\"}"), 400);
    expect(mgmt("POST", "/v1/auth/refresh", null, "{\"refresh_token\":\"nope\"}"), 401);
    expect(mgmt("POST", "/v1/auth/logout", null, null), 204);
    expect(mgmt("POST", "/v1/auth/register", null, "{\"email\":\"reg-" + System.nanoTime() + "@t.local\","
        + "\"password\":\"a-long-password-1\"}"), 0);

    // Users and keys.
    expect(mgmt("GET", "/v1/users", tenantAdmin, null), 200);
    expect(mgmt("GET", "/v1/users", member, null), 403);
    expect(mgmt("GET", "/v1/users", null, null), 401);
    expect(mgmt("GET", "/v1/users?page_size=1000", tenantAdmin, null), 400);
    expect(mgmt("GET", "/v1/users/" + gw.userId, member, null), 200);
    expect(mgmt("GET", "/v1/users/999999", member, null), 404);
    expect(mgmt("PUT", "/v1/users/" + gw.userId, member, "{\"name\":\"Renamed\"}"), 200);
    expect(mgmt("GET", "/v1/keys", member, null), 200);
    Http.Reply k = mgmt("POST", "/v1/keys", member, "{\"name\":\"contract\",\"allowed_models\":[\"gpt-4o-mini\"],"
        + "\"budget_day\":\"5.00\"}");
    expect(k, 201);
    long keyId = k.json().get("id").asLong();
    expect(mgmt("POST", "/v1/keys", member, "{\"rpm_limit\":-1}"), 400);
    expect(mgmt("GET", "/v1/keys/" + keyId + "/budget", member, null), 200);
    expect(mgmt("PUT", "/v1/keys/" + keyId + "/budget", member, "{\"day\":\"2.00\",\"month\":null}"), 200);
    expect(mgmt("PUT", "/v1/keys/" + keyId + "/budget", member, "{\"day\":\"lots\"}"), 400);
    expect(mgmt("POST", "/v1/keys/" + keyId + "/rotate", member, null), 200);
    expect(mgmt("DELETE", "/v1/keys/" + keyId, member, null), 204);
    expect(mgmt("POST", "/v1/keys/" + keyId + "/rotate", member, null), 400);
    expect(mgmt("DELETE", "/v1/keys/999999", member, null), 404);
    expect(mgmt("GET", "/v1/tenants/" + gw.tenantId + "/budget", tenantAdmin, null), 200);
    expect(mgmt("PUT", "/v1/tenants/" + gw.tenantId + "/budget", admin, "{\"month\":\"100.00\"}"), 200);
    expect(mgmt("GET", "/v1/tenants/" + gw.tenantId + "/limits", tenantAdmin, null), 200);
    expect(mgmt("PUT", "/v1/tenants/" + gw.tenantId + "/limits", admin, "{\"rpm_limit\":1000,\"tpm_limit\":null}"), 200);

    // Billing.
    String month = YearMonth.now(ZoneOffset.UTC).toString();
    expect(mgmt("GET", "/v1/billing/balance", member, null), 200);
    expect(mgmt("GET", "/v1/billing/balance", null, null), 401);
    expect(mgmt("GET", "/v1/billing/usage", member, null), 200);
    expect(mgmt("GET", "/v1/billing/usage?group_by=model", member, null), 200);
    expect(mgmt("GET", "/v1/billing/usage?group_by=week", member, null), 400);
    csv(mgmt("GET", "/v1/billing/usage?format=csv", member, null));
    expect(mgmt("GET", "/v1/billing/invoices", member, null), 200);
    expect(mgmt("GET", "/v1/billing/invoices/" + month, member, null), 200);
    expect(mgmt("GET", "/v1/billing/invoices/last-month", member, null), 400);
    csv(mgmt("GET", "/v1/billing/invoices/" + month + "?format=csv", member, null));
    Http.Reply codes = mgmt("POST", "/admin/redemption-codes", admin, "{\"amount\":\"1.00\",\"count\":1}");
    expect(codes, 201);
    if (codes.status() == 201) {
      expect(mgmt("POST", "/v1/billing/redeem", member, "{\"code\":\"" + codes.json().get("codes").get(0).asText() + "\"}"), 200);
    }
    expect(mgmt("POST", "/v1/billing/redeem", member, "{\"code\":\"not-a-code\"}"), 0);
    expect(send("POST", "/admin/tenants/" + gw.tenantId + "/credit", "{\"amount\":\"1.50\",\"note\":\"contract\"}",
        TestCallers.HEADER, admin, "authorization", "Bearer x.y.z", "idempotency-key", "oa-credit-1"), 200);
    expect(mgmt("POST", "/admin/tenants/" + gw.tenantId + "/credit", admin, "{\"amount\":\"1.50\"}"), 400);
    expect(mgmt("POST", "/admin/tenants/" + gw.tenantId + "/credit", member, "{\"amount\":\"1.50\"}"), 403);
    expect(mgmt("GET", "/admin/models", admin, null), 200);
    expect(mgmt("GET", "/admin/models/gpt-4o-mini", admin, null), 0);
    expect(mgmt("PUT", "/admin/models/contract-model", admin, "{\"input\":\"1.00\",\"output\":\"2.00\"}"), 200);
    expect(mgmt("GET", "/admin/models/contract-model", admin, null), 200);
    expect(mgmt("GET", "/admin/reconcile", admin, null), 200);

    // Admin.
    expect(mgmt("GET", "/admin/stats", admin, null), 200);
    expect(mgmt("GET", "/admin/users", admin, null), 200);
    Http.Reply nu = mgmt("POST", "/admin/users", admin, "{\"email\":\"made-" + System.nanoTime() + "@t.local\","
        + "\"password\":\"a-long-password-1\",\"tenant_id\":" + gw.tenantId + "}");
    expect(nu, 201);
    if (nu.status() == 201) {
      long id = nu.json().get("id").asLong();
      expect(mgmt("POST", "/admin/users/" + id + "/disable", admin, null), 200);
      expect(mgmt("POST", "/admin/users/" + id + "/enable", admin, null), 200);
    }
    expect(mgmt("GET", "/admin/events/stats", admin, null), 0);
    expect(mgmt("GET", "/admin/providers", admin, null), 200);
    expect(mgmt("GET", "/admin/providers/sim", admin, null), 200);
    expect(mgmt("GET", "/admin/providers/sim/stats", admin, null), 200);
    expect(mgmt("GET", "/admin/providers/nope", admin, null), 404);
    expect(mgmt("POST", "/admin/providers", admin, "{\"kind\":\"nope\"}"), 400);
    expect(mgmt("PUT", "/admin/providers/nope", admin, "{\"enabled\":false}"), 0);
    expect(mgmt("DELETE", "/admin/providers/nope", admin, null), 404);
    Thread.sleep(300); // the usage record is written in batches
    expect(mgmt("GET", "/admin/requests/" + chat.header("x-request-id"), admin, null), 200);

    // Risk and audit.
    Http.Reply rules = mgmt("GET", "/admin/risk/rules", admin, null);
    expect(rules, 200);
    expect(mgmt("PUT", "/admin/risk/rules", admin, rules.json().get("global").toString()), 200);
    expect(mgmt("GET", "/admin/risk/rules/tenants/" + gw.tenantId, admin, null), 0);
    expect(mgmt("PUT", "/admin/risk/rules/tenants/" + gw.tenantId, admin, rules.json().get("global").toString()), 200);
    expect(mgmt("GET", "/admin/risk/rules/tenants/" + gw.tenantId, admin, null), 200);
    expect(mgmt("DELETE", "/admin/risk/rules/tenants/" + gw.tenantId, admin, null), 204);
    expect(mgmt("GET", "/admin/risk/reviews", admin, null), 200);
    expect(mgmt("GET", "/admin/risk/reviews/999999", admin, null), 404);
    expect(mgmt("POST", "/admin/risk/reviews/999999/resolve", admin, "{\"status\":\"dismissed\"}"), 0);
    expect(mgmt("GET", "/admin/audit", admin, null), 200);
    expect(mgmt("GET", "/admin/audit?limit=5&tenant_id=" + gw.tenantId, admin, null), 200);
    expect(mgmt("GET", "/admin/audit/verify", admin, null), 200);

    // Webhooks.
    Http.Reply wh = mgmt("POST", "/v1/webhooks", tenantAdmin, "{\"url\":\"http://127.0.0.1:9/hook\","
        + "\"event_types\":[\"settlement.completed\"]}");
    expect(wh, 201);
    expect(mgmt("POST", "/v1/webhooks", tenantAdmin, "{\"url\":\"http://10.1.2.3/hook\",\"event_types\":[\"*\"]}"), 400);
    expect(mgmt("GET", "/v1/webhooks", tenantAdmin, null), 200);
    if (wh.status() == 201) {
      long id = wh.json().get("id").asLong();
      expect(mgmt("GET", "/v1/webhooks/" + id, tenantAdmin, null), 200);
      expect(mgmt("PUT", "/v1/webhooks/" + id, tenantAdmin, "{\"description\":\"contract\",\"enabled\":false}"), 200);
      expect(mgmt("POST", "/v1/webhooks/" + id + "/rotate-secret", tenantAdmin, null), 200);
      expect(mgmt("GET", "/v1/webhooks/" + id + "/deliveries", tenantAdmin, null), 200);
      expect(mgmt("GET", "/v1/webhooks/" + id + "/deliveries/999999", tenantAdmin, null), 404);
      expect(mgmt("POST", "/v1/webhooks/" + id + "/deliveries/999999/redeliver", tenantAdmin, null), 404);
      expect(mgmt("GET", "/admin/webhooks/" + id, admin, null), 200);
      expect(mgmt("DELETE", "/v1/webhooks/" + id, tenantAdmin, null), 204);
    }
    Http.Reply ow = mgmt("POST", "/admin/webhooks", admin, "{\"url\":\"http://127.0.0.1:9/ops\",\"event_types\":[\"*\"]}");
    expect(ow, 201);
    if (ow.status() == 201) {
      String at = "/admin/webhooks/" + ow.json().get("id").asLong();
      expect(mgmt("PUT", at, admin, "{\"event_types\":[\"settlement.completed\"]}"), 200);
      expect(mgmt("POST", at + "/rotate-secret", admin, null), 200);
      expect(mgmt("GET", at + "/deliveries?status=pending", admin, null), 200);
      expect(mgmt("GET", at + "/deliveries/999999", admin, null), 404);
      expect(mgmt("POST", at + "/deliveries/999999/redeliver", admin, null), 404);
      expect(mgmt("DELETE", at, admin, null), 204);
    }
    expect(mgmt("GET", "/v1/webhooks/999999", tenantAdmin, null), 404);
    expect(mgmt("GET", "/admin/webhooks", admin, null), 200);
    expect(mgmt("GET", "/admin/webhooks?owner=platform", admin, null), 200);

    // Supply.
    expect(mgmt("GET", "/v1/supply/me", supplier, null), 200);
    expect(mgmt("GET", "/v1/supply/me", member, null), 403);
    expect(mgmt("GET", "/v1/supply/accounts", supplier, null), 200);
    expect(mgmt("GET", "/v1/supply/accounts/999999", supplier, null), 404);
    expect(mgmt("POST", "/v1/supply/accounts", supplier, "{\"name\":\"a\",\"base_url\":\"http://10.1.2.3/v1\","
        + "\"credential\":\"sk-x\",\"models\":[\"m\"]}"), 400);
    String sim = gw.gateway.simulator().baseUrl().replace("localhost", "127.0.0.1") + "/v1";
    Http.Reply acc = mgmt("POST", "/v1/supply/accounts", supplier, "{\"name\":\"main\",\"vendor\":\"openai-compatible\","
        + "\"base_url\":\"" + sim + "\",\"credential\":\"sk-supplier-1\",\"models\":{\"contract-model\":\"gpt-4o-mini\"}}"); // priced above
    expect(acc, 201);
    if (acc.status() == 201) {
      long id = acc.json().get("id").asLong();
      expect(mgmt("POST", "/v1/supply/accounts/" + id + "/verify", supplier, null), 200);
      expect(mgmt("PUT", "/v1/supply/accounts/" + id, supplier, "{\"name\":\"renamed\",\"rpm\":100}"), 200);
      Http.Reply pkg = mgmt("POST", "/v1/supply/packages", supplier, "{\"account_id\":" + id + ",\"name\":\"p\","
          + "\"quota_tokens\":2000,\"input_per_1m\":\"0.10\",\"output_per_1m\":\"0.20\"}");
      expect(pkg, 201);
      if (pkg.status() == 201) {
        long pid = pkg.json().get("id").asLong();
        expect(mgmt("GET", "/v1/supply/packages/" + pid, supplier, null), 200);
        expect(mgmt("PUT", "/v1/supply/packages/" + pid, supplier, "{\"name\":\"p2\"}"), 200);
        expect(mgmt("PUT", "/v1/supply/packages/" + pid, supplier, "{\"quota_tokens\":-5}"), 400);
      }
      expect(mgmt("DELETE", "/v1/supply/accounts/" + id, supplier, null), 0);
    }
    expect(mgmt("GET", "/v1/supply/packages", supplier, null), 200);
    expect(mgmt("GET", "/v1/supply/packages/999999", supplier, null), 404);
    // Object storage (issue 18): off on this gateway, so files are 503 and request logs cannot be turned on.
    expect(mgmt("GET", "/v1/billing/invoices/" + month + "/file?format=pdf", member, null), 503);
    expect(mgmt("GET", "/v1/billing/invoices/" + month + "/file?format=xml", member, null), 400);
    expect(mgmt("GET", "/v1/supply/statements/" + month + "/file", supplier, null), 503);
    expect(mgmt("GET", "/v1/request-logs/settings", member, null), 200);
    expect(mgmt("PUT", "/v1/request-logs/settings", tenantAdmin, "{\"retention_days\":7}"), 200);
    expect(mgmt("PUT", "/v1/request-logs/settings", tenantAdmin, "{\"enabled\":true}"), 503);
    expect(mgmt("PUT", "/v1/request-logs/settings", member, "{\"enabled\":false}"), 403);
    expect(mgmt("GET", "/admin/tenants/" + gw.tenantId + "/request-logs", admin, null), 200);
    expect(mgmt("PUT", "/admin/tenants/" + gw.tenantId + "/request-logs", admin, "{\"retention_days\":0}"), 400);
    expect(mgmt("PUT", "/admin/tenants/999999/request-logs", admin, "{\"enabled\":false}"), 404);
    expect(mgmt("GET", "/v1/supply/earnings", supplier, null), 200);
    expect(mgmt("GET", "/v1/supply/statements?month=" + month, supplier, null), 200);
    expect(mgmt("GET", "/v1/supply/payouts", supplier, null), 200);
    csv(mgmt("GET", "/v1/supply/statements?month=" + month + "&format=csv", supplier, null));
    expect(mgmt("POST", "/v1/supply/payouts", supplier, "{\"amount\":\"100.00\"}"), 0);
    expect(mgmt("GET", "/admin/suppliers", admin, null), 200);
    expect(mgmt("GET", "/admin/suppliers/" + supplierTenant, admin, null), 200);
    expect(mgmt("PUT", "/admin/suppliers/" + supplierTenant, admin, "{\"status\":\"approved\"}"), 200);
    expect(mgmt("GET", "/admin/supply/accounts", admin, null), 200);
    expect(mgmt("PUT", "/admin/supply/accounts/999999", admin, "{\"status\":\"suspended\"}"), 404);
    expect(mgmt("GET", "/admin/supply/packages", admin, null), 200);
    expect(mgmt("GET", "/admin/payouts", admin, null), 200);
    expect(mgmt("PUT", "/admin/payouts/999999", admin, "{\"status\":\"approved\"}"), 404);

    assertThat(mismatches).as("answers that do not match openapi.json (" + validated + " validated)").isEmpty();
    assertThat(validated).isGreaterThanOrEqualTo(100);
    Set<String> notCalled = new TreeSet<>();
    doc.get("paths").fields().forEachRemaining(e -> METHODS.forEach(m -> {
      if (e.getValue().has(m) && !covered.contains(m.toUpperCase() + " " + e.getKey())) notCalled.add(m.toUpperCase() + " " + e.getKey());
    }));
    System.out.println("OpenApiContractTest: " + validated + " answers validated, covering " + covered.size()
        + " operations; not called: " + notCalled);
  }

  @Test
  void theValidatorRejectsWhatDoesNotMatch() {
    // Guards the harness: a schema reached through $ref must refuse a wrong body, or every check above is void.
    assertThat(validate("/components/responses/Error", "{\"error\":{\"code\":1}}")).isNotEmpty();
    assertThat(validate("/paths/~1v1~1billing~1balance/get/responses/200", "{\"tenant_id\":\"x\"}")).isNotEmpty();
    assertThat(validate("/paths/~1v1~1keys/get/responses/200", "{\"data\":[{\"id\":1}],\"pagination\":"
        + "{\"page\":1,\"page_size\":20,\"total\":1}}")).isNotEmpty(); // a key without its required fields
    assertThat(validate("/paths/~1v1~1billing~1balance/get/responses/200", "{\"tenant_id\":1,\"currency\":\"CNY\","
        + "\"balance\":\"1.00\",\"reserved\":\"0.00\",\"available\":\"1.00\"}")).isEmpty();
  }

  private List<?> validate(String responseAt, String body) {
    return schemaAt(responseAt + "/content/application~1json/schema").validate(body, InputFormat.JSON);
  }

  // ---- (3) served ----

  @Test
  void theDescriptionAndItsViewerAreServedFromTheGateway() {
    Http.Reply spec = exchange("GET", "/openapi.json", null);
    assertThat(spec.status()).isEqualTo(200);
    assertThat(spec.header("content-type")).startsWith("application/json");
    assertThat(spec.json().get("openapi").asText()).isEqualTo("3.1.0");
    Http.Reply page = exchange("GET", "/docs/", null);
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.header("content-type")).startsWith("text/html");
    assertThat(page.header("content-security-policy")).contains("default-src 'self'").doesNotContain("http");
    assertThat(page.body()).contains("swagger-ui");
    // Every asset the page names is local and served; the initializer points at our description, validator off.
    Matcher m = Pattern.compile("(?:src|href)=\"([^\"]+)\"").matcher(page.body());
    int assets = 0;
    while (m.find()) {
      String ref = m.group(1);
      assertThat(ref).as("asset " + ref).doesNotContain("//").doesNotStartWith("http");
      Http.Reply a = exchange("GET", "/docs/" + ref, null);
      assertThat(a.status()).as(ref).isEqualTo(200);
      assertThat(a.body()).as(ref).isNotEmpty();
      assets++;
    }
    assertThat(assets).isGreaterThanOrEqualTo(5);
    String init = exchange("GET", "/docs/swagger-initializer.js", null).body();
    assertThat(init).contains("../openapi.json").contains("validatorUrl: null");
    // The bytes are shared by every event loop: answers at once are whole.
    String bundle = exchange("GET", "/docs/swagger-ui-bundle.js", null).body();
    List<String> together = java.util.stream.IntStream.range(0, 8).parallel()
        .mapToObj(i -> exchange("GET", "/docs/swagger-ui-bundle.js", null).body()).toList();
    assertThat(together).allSatisfy(b -> assertThat(b).isEqualTo(bundle));
    assertThat(exchange("HEAD", "/openapi.json", null).header("content-length")).isEqualTo(String.valueOf(spec.body()
        .getBytes(java.nio.charset.StandardCharsets.UTF_8).length));
    assertThat(exchange("GET", "/docs", null).header("location")).isEqualTo("/docs/");
    assertThat(exchange("GET", "/docs/nope.js", null).status()).isEqualTo(404);
    assertThat(exchange("POST", "/openapi.json", "{}").status()).isEqualTo(405);
  }

  @Test
  void theViewerRendersTheOperationsInHeadlessChromium() throws Exception {
    Path chromium = Path.of("/usr/bin/chromium");
    assumeTrue(Files.isExecutable(chromium), "no /usr/bin/chromium here: rendering not checked");
    Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--virtual-time-budget=10000", "--dump-dom", root() + "/docs/").redirectErrorStream(false).start();
    String dom = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(dom).contains("opblock").contains("/v1/chat/completions");
  }

  // ---- calls and validation ----

  String root() {
    return gw.baseUrl().substring(0, gw.baseUrl().length() - 3);
  }

  /** A data-plane call with a platform key (null: none). */
  Http.Reply data(String method, String path, String key, String body, String... headers) {
    String[] h = key == null ? headers : concat(headers, "authorization", "Bearer " + key);
    return send(method, path, body, h);
  }

  /** A management call: a session-shaped bearer routes /v1/… to the management API; the test resolver names the caller. */
  Http.Reply mgmt(String method, String path, String caller, String body) {
    return caller == null ? send(method, path, body, "authorization", "Bearer x.y.z")
        : send(method, path, body, TestCallers.HEADER, caller, "authorization", "Bearer x.y.z");
  }

  /** Sends and validates the answer against the description (see {@link #record}). */
  Http.Reply send(String method, String path, String body, String... headers) {
    Http.Reply r = exchange(method, path, body, headers);
    record(method, path, r);
    return r;
  }

  /** Sends, without recording. */
  Http.Reply exchange(String method, String path, String body, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(root() + path)).timeout(Duration.ofSeconds(30));
    for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
    if (body != null) b.header("content-type", "application/json");
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return Http.send(b.build());
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** The status a call should have had (0: any), on top of its body matching the description. */
  void expect(Http.Reply r, int status) {
    if (status != 0 && r.status() != status) {
      mismatches.add("expected " + status + " but got " + r.status() + ": " + clip(r.body()));
    }
  }

  /** A streamed answer: 200 as server-sent events (its media type is checked against the description in record). */
  void streamed(Http.Reply r) {
    expect(r, 200);
    if (r.status() == 200 && !String.valueOf(r.header("content-type")).startsWith("text/event-stream")) {
      mismatches.add("expected an event stream, got " + r.header("content-type"));
    }
  }

  void csv(Http.Reply r) {
    expect(r, 200);
    if (r.status() == 200 && !String.valueOf(r.header("content-type")).startsWith("text/csv")) {
      mismatches.add("expected CSV, got " + r.header("content-type"));
    }
  }

  /** Validates one answer against the operation it hit: its status must be documented, its JSON body match. */
  void record(String method, String path, Http.Reply r) {
    String call = method + " " + path + " → " + r.status();
    String template = templateOf(method, path.split("\\?")[0]);
    if (template == null) {
      mismatches.add(call + ": no documented operation");
      return;
    }
    covered.add(method + " " + template);
    String pointer = "/paths/" + escape(template) + "/" + method.toLowerCase() + "/responses";
    JsonNode responses = doc.at(pointer);
    String key = String.valueOf(r.status());
    if (!responses.has(key)) key = r.status() / 100 + "XX";
    if (!responses.has(key)) key = "default";
    if (!responses.has(key)) {
      mismatches.add(call + ": status not documented");
      return;
    }
    JsonNode response = responses.get(key);
    String at = pointer + "/" + key;
    if (response.has("$ref")) {
      at = response.get("$ref").asText().substring(1);
      response = doc.at(at);
    }
    String type = r.header("content-type") == null ? null : r.header("content-type").split(";")[0].trim();
    boolean empty = r.body() == null || r.body().isEmpty();
    if (empty) {
      if (!method.equals("HEAD") && response.has("content") && r.status() != 204 && r.status() != 301) {
        mismatches.add(call + ": empty body, but " + at + " documents content");
      }
      validated++;
      return;
    }
    if (type == null || !response.path("content").has(type)) {
      mismatches.add(call + ": content type " + type + " not documented at " + at);
      return;
    }
    if (!type.equals("application/json")) {
      validated++;
      return;
    }
    String schemaAt = at + "/content/application~1json/schema";
    var errors = schemaAt(schemaAt).validate(r.body(), InputFormat.JSON);
    if (!errors.isEmpty()) {
      mismatches.add(call + " vs " + schemaAt + ": " + errors.stream().limit(5).map(Object::toString).toList()
          + " in " + clip(r.body()));
    }
    validated++;
  }

  /** The schema at this JSON pointer of the description, its $refs resolved against the description's components. */
  Schema schemaAt(String pointer) {
    return compiled.computeIfAbsent(pointer, s -> {
      JsonNode node = doc.at(s);
      if (node.isMissingNode()) throw new AssertionError("no schema at " + s);
      ObjectNode w = node.deepCopy();
      w.put("$schema", "https://json-schema.org/draft/2020-12/schema");
      w.set("components", doc.get("components"));
      return schemas.getSchema(w.toString(), InputFormat.JSON);
    });
  }

  /** The documented path template an actual path falls under: the one with the most literal characters. */
  String templateOf(String method, String path) {
    String best = null;
    int bestLiteral = -1;
    for (Iterator<String> it = doc.get("paths").fieldNames(); it.hasNext(); ) {
      String t = it.next();
      if (!doc.get("paths").get(t).has(method.toLowerCase())) continue;
      StringBuilder re = new StringBuilder();
      int last = 0;
      Matcher m = PARAM.matcher(t);
      while (m.find()) {
        re.append(Pattern.quote(t.substring(last, m.start()))).append("[^/]+");
        last = m.end();
      }
      re.append(Pattern.quote(t.substring(last)));
      if (!path.matches(re.toString())) continue;
      int literal = PARAM.matcher(t).replaceAll("").length();
      if (literal > bestLiteral) {
        best = t;
        bestLiteral = literal;
      }
    }
    return best;
  }

  private static String escape(String template) {
    return template.replace("~", "~0").replace("/", "~1");
  }

  private static String clip(String s) {
    return s == null || s.length() <= 400 ? s : s.substring(0, 400) + "…";
  }
}
