package com.lijiaoqiao.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.access.KeyIssuer;
import com.lijiaoqiao.app.GatewayConfig;
import com.lijiaoqiao.testing.Api;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.Http;
import com.lijiaoqiao.testing.TestGateway;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Every management endpoint of the identity room × {no credentials, API key, member, tenant admin of another
 * tenant, supplier, admin}. The objects belong to the member (tenant A); the tenant admin is of tenant B and
 * the supplier of tenant C, so for them every object of tenant A must be 404, exactly like a missing one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AuthorizationMatrixTest {
  static final String PW = "matrix-password-1";
  static final String[] CALLERS = {"none", "api_key", "member", "other_tenant_admin", "supplier", "admin"};

  TestGateway gw;
  Api api;
  final Map<String, String> creds = new LinkedHashMap<>();
  long tenantA;
  long member;
  long victim;
  int seq;

  @BeforeAll
  void start() {
    gw = TestGateway.start(Databases.Kind.H2, c -> {
      c.security.maxKeysPerUser = 1000;
      c.supply.allowedAddresses.add("127.0.0.1/32"); // the supplier's account is on the simulator
      c.webhooks.allowedAddresses.add("127.0.0.1/32"); // tenant A's webhook points at the simulator
      GatewayConfig.PriceSpec p = new GatewayConfig.PriceSpec();
      p.input = "1.00";
      p.output = "2.00";
      c.billing.models.put("gpt-4o-mini", p);
    });
    api = new Api(gw.gateway.port());
    var accounts = gw.gateway.accounts();
    tenantA = accounts.createTenant("A");
    long tenantB = accounts.createTenant("B");
    long tenantC = accounts.createTenant("C");
    member = Users.create(accounts, "member@a.test", PW, "Member", "member", tenantA);
    victim = Users.create(accounts, "victim@a.test", PW, "Victim", "member", tenantA);
    Users.create(accounts, "ta@b.test", PW, "TA B", "tenant_admin", tenantB);
    Users.create(accounts, "supplier@c.test", PW, "Supplier", "supplier", tenantC);
    Users.create(accounts, "admin@p.test", PW, "Admin", "admin", null);
    creds.put("none", null);
    creds.put("api_key", gw.gateway.keyIssuer().issue(member, tenantA, "m", Set.of(), 1000, 1_000_000, null).secret());
    creds.put("member", api.login("member@a.test", PW));
    creds.put("other_tenant_admin", api.login("ta@b.test", PW));
    creds.put("supplier", api.login("supplier@c.test", PW));
    creds.put("admin", api.login("admin@p.test", PW));
    // The supplier's objects (tenant C): an account on the simulator and a package in draft.
    supplierTenant = tenantC;
    String sim = gw.gateway.simulator().baseUrl().replace("localhost", "127.0.0.1") + "/v1";
    Http.Reply acc = api.call("POST", "/v1/supply/accounts", creds.get("supplier"), "{\"name\":\"a\",\"base_url\":\""
        + sim + "\",\"credential\":\"sk-matrix\",\"models\":[\"gpt-4o-mini\"]}");
    assertThat(acc.status()).as(acc.body()).isEqualTo(201);
    supplyAccount = acc.json().get("id").asLong();
    Http.Reply pkg = api.call("POST", "/v1/supply/packages", creds.get("supplier"), "{\"account_id\":" + supplyAccount
        + ",\"name\":\"p\",\"quota_tokens\":1000,\"input_per_1m\":\"0.1\",\"output_per_1m\":\"0.3\"}");
    assertThat(pkg.status()).as(pkg.body()).isEqualTo(201);
    supplyPackage = pkg.json().get("id").asLong();
    // Tenant A's webhook endpoint, made by A's own tenant admin.
    Users.create(accounts, "ta@a.test", PW, "TA A", "tenant_admin", tenantA);
    Http.Reply hook = api.call("POST", "/v1/webhooks", api.login("ta@a.test", PW), "{\"url\":\"" + sim
        + "/hook\",\"event_types\":[\"settlement.completed\"]}");
    assertThat(hook.status()).as(hook.body()).isEqualTo(201);
    webhook = hook.json().get("id").asLong();
  }

  long webhook;

  long supplierTenant;
  long supplyAccount;
  long supplyPackage;

  @AfterAll
  void stop() {
    if (gw != null) gw.close();
  }

  /** A fresh key of the member's, for endpoints that consume it. */
  long freshMemberKey() {
    KeyIssuer.Issued k = gw.gateway.keyIssuer().issue(member, tenantA, "t", Set.of(), 60, 100_000, null);
    return k.keyId();
  }

  record Row(String method, Supplier<String> path, String body, int[] expected) {}

  static int[] s(int... codes) {
    return codes;
  }

  @Test
  void everyEndpointAnswersEveryCallerAsSpecified() {
    long memberKey = freshMemberKey();
    List<Row> rows = List.of(
        //                                                                 none key  mem  taB  sup  admin
        new Row("POST", () -> "/v1/auth/register", "{\"email\":\"r" + (seq++) + "@x.test\",\"password\":\"password-1\"}",
            s(403, 403, 403, 403, 403, 403)),
        new Row("GET", () -> "/v1/users", null, s(401, 403, 403, 200, 403, 200)),
        new Row("GET", () -> "/v1/users/" + member, null, s(401, 403, 200, 404, 404, 200)),
        new Row("PUT", () -> "/v1/users/" + member, "{\"name\":\"n\"}", s(401, 403, 200, 404, 404, 200)),
        new Row("GET", () -> "/v1/users/999999", null, s(401, 403, 404, 404, 404, 404)),
        new Row("GET", () -> "/v1/keys", null, s(401, 403, 200, 200, 200, 200)),
        new Row("POST", () -> "/v1/keys", "{\"name\":\"k\"}", s(401, 403, 201, 201, 201, 201)),
        new Row("DELETE", () -> "/v1/keys/" + freshMemberKey(), null, s(401, 403, 204, 404, 404, 204)),
        new Row("POST", () -> "/v1/keys/" + freshMemberKey() + "/rotate", null, s(401, 403, 200, 404, 404, 200)),
        new Row("DELETE", () -> "/v1/keys/999999", null, s(401, 403, 404, 404, 404, 404)),
        new Row("GET", () -> "/admin/stats", null, s(401, 403, 403, 403, 403, 200)),
        new Row("GET", () -> "/admin/users", null, s(401, 403, 403, 403, 403, 200)),
        new Row("POST", () -> "/admin/users", "{\"email\":\"n" + (seq++) + "@x.test\",\"password\":\"password-1\"}",
            s(401, 403, 403, 403, 403, 201)),
        new Row("POST", () -> "/admin/users/" + victim + "/disable", null, s(401, 403, 403, 403, 403, 200)),
        new Row("POST", () -> "/admin/users/" + victim + "/enable", null, s(401, 403, 403, 403, 403, 200)),
        new Row("POST", () -> "/admin/users/999999/disable", null, s(401, 403, 403, 403, 403, 404)),
        // billing: a tenant's own views take a key or a session; money movements and prices are admins' only
        new Row("GET", () -> "/v1/billing/balance", null, s(401, 200, 200, 200, 200, 200)),
        new Row("GET", () -> "/v1/billing/usage", null, s(401, 200, 200, 200, 200, 200)),
        new Row("GET", () -> "/v1/billing/invoices", null, s(401, 200, 200, 200, 200, 200)),
        new Row("POST", () -> "/v1/billing/redeem", "{\"code\":\"LJQ-NOPE\"}", s(401, 404, 404, 404, 404, 404)),
        new Row("POST", () -> "/admin/tenants/" + tenantA + "/credit", "{\"amount\":\"1.00\"}",
            s(401, 403, 403, 403, 403, 400)), // an admin still needs the Idempotency-Key
        new Row("POST", () -> "/admin/redemption-codes", "{\"amount\":\"1.00\"}", s(401, 403, 403, 403, 403, 201)),
        new Row("GET", () -> "/admin/models", null, s(401, 403, 403, 403, 403, 200)),
        new Row("PUT", () -> "/admin/models/gpt-4o-mini", "{\"input\":\"0.15\",\"output\":\"0.60\"}",
            s(401, 403, 403, 403, 403, 200)),
        // routing administration
        new Row("GET", () -> "/admin/providers", null, s(401, 403, 403, 403, 403, 200)),
        new Row("GET", () -> "/admin/providers/sim/stats", null, s(401, 403, 403, 403, 403, 200)),
        // the supply side: a supplier's own objects (tenant C); operators use /admin/supply, never /v1/supply
        new Row("GET", () -> "/v1/supply/me", null, s(401, 403, 403, 403, 200, 403)),
        new Row("GET", () -> "/v1/supply/accounts", null, s(401, 403, 403, 403, 200, 403)),
        new Row("POST", () -> "/v1/supply/accounts", "{}", s(401, 403, 403, 403, 400, 403)),
        new Row("GET", () -> "/v1/supply/accounts/" + supplyAccount, null, s(401, 403, 403, 403, 200, 403)),
        new Row("PUT", () -> "/v1/supply/accounts/" + supplyAccount, "{\"name\":\"n\"}", s(401, 403, 403, 403, 200, 403)),
        new Row("POST", () -> "/v1/supply/accounts/" + supplyAccount + "/verify", null, s(401, 403, 403, 403, 200, 403)),
        new Row("GET", () -> "/v1/supply/accounts/999999", null, s(401, 403, 403, 403, 404, 403)),
        new Row("DELETE", () -> "/v1/supply/accounts/999999", null, s(401, 403, 403, 403, 404, 403)),
        new Row("GET", () -> "/v1/supply/packages", null, s(401, 403, 403, 403, 200, 403)),
        new Row("POST", () -> "/v1/supply/packages", "{}", s(401, 403, 403, 403, 400, 403)),
        new Row("GET", () -> "/v1/supply/packages/" + supplyPackage, null, s(401, 403, 403, 403, 200, 403)),
        new Row("PUT", () -> "/v1/supply/packages/" + supplyPackage, "{\"name\":\"p2\"}", s(401, 403, 403, 403, 200, 403)),
        new Row("GET", () -> "/v1/supply/packages/999999", null, s(401, 403, 403, 403, 404, 403)),
        new Row("GET", () -> "/v1/supply/earnings", null, s(401, 403, 403, 403, 200, 403)),
        new Row("GET", () -> "/v1/supply/statements", null, s(401, 403, 403, 403, 200, 403)),
        new Row("GET", () -> "/v1/supply/payouts", null, s(401, 403, 403, 403, 200, 403)),
        new Row("POST", () -> "/v1/supply/payouts", "{\"amount\":\"1.00\"}", s(401, 403, 403, 403, 403, 403)),
        new Row("GET", () -> "/admin/suppliers", null, s(401, 403, 403, 403, 403, 200)),
        new Row("GET", () -> "/admin/suppliers/" + supplierTenant, null, s(401, 403, 403, 403, 403, 200)),
        new Row("PUT", () -> "/admin/suppliers/" + supplierTenant, "{\"note\":\"x\"}", s(401, 403, 403, 403, 403, 200)),
        new Row("GET", () -> "/admin/supply/accounts", null, s(401, 403, 403, 403, 403, 200)),
        new Row("PUT", () -> "/admin/supply/accounts/999999", "{\"status\":\"active\"}", s(401, 403, 403, 403, 403, 404)),
        new Row("GET", () -> "/admin/supply/packages", null, s(401, 403, 403, 403, 403, 200)),
        new Row("GET", () -> "/admin/payouts", null, s(401, 403, 403, 403, 403, 200)),
        new Row("PUT", () -> "/admin/payouts/999999", "{\"status\":\"processing\"}", s(401, 403, 403, 403, 403, 404)),
        // webhooks: a tenant admin's or supplier's own tenant (the endpoint is tenant A's); operators use /admin
        new Row("GET", () -> "/v1/webhooks", null, s(401, 403, 403, 200, 200, 403)),
        new Row("POST", () -> "/v1/webhooks", "{}", s(401, 403, 403, 400, 400, 403)),
        new Row("GET", () -> "/v1/webhooks/" + webhook, null, s(401, 403, 403, 404, 404, 403)),
        new Row("PUT", () -> "/v1/webhooks/" + webhook, "{\"description\":\"d\"}", s(401, 403, 403, 404, 404, 403)),
        new Row("DELETE", () -> "/v1/webhooks/" + webhook, null, s(401, 403, 403, 404, 404, 403)),
        new Row("POST", () -> "/v1/webhooks/" + webhook + "/rotate-secret", null, s(401, 403, 403, 404, 404, 403)),
        new Row("GET", () -> "/v1/webhooks/" + webhook + "/deliveries", null, s(401, 403, 403, 404, 404, 403)),
        new Row("POST", () -> "/v1/webhooks/" + webhook + "/deliveries/999999/redeliver", null,
            s(401, 403, 403, 404, 404, 403)),
        new Row("GET", () -> "/v1/webhooks/999999", null, s(401, 403, 403, 404, 404, 403)),
        new Row("GET", () -> "/admin/webhooks", null, s(401, 403, 403, 403, 403, 200)),
        new Row("GET", () -> "/admin/webhooks/" + webhook, null, s(401, 403, 403, 403, 403, 200)),
        new Row("PUT", () -> "/admin/webhooks/" + webhook, "{\"description\":\"ops\"}", s(401, 403, 403, 403, 403, 200)),
        new Row("GET", () -> "/admin/webhooks/" + webhook + "/deliveries", null, s(401, 403, 403, 403, 403, 200)),
        new Row("GET", () -> "/admin/webhooks/999999", null, s(401, 403, 403, 403, 403, 404)));
    List<String> mismatches = new ArrayList<>();
    int cells = 0;
    for (Row row : rows) {
      for (int i = 0; i < CALLERS.length; i++) {
        String path = row.path().get();
        String body = row.body();
        if (body != null && body.contains("@x.test")) body = body.replace("@x.test", "-" + i + "-" + (seq++) + "@x.test");
        Http.Reply r = api.call(row.method(), path, creds.get(CALLERS[i]), body);
        cells++;
        if (r.status() != row.expected()[i]) {
          mismatches.add(row.method() + " " + path + " as " + CALLERS[i] + ": expected " + row.expected()[i] + ", got "
              + r.status() + " " + r.body());
        }
        if (r.status() == 404 && !path.equals("/v1/billing/redeem")) { // a code is not a tenant's object
          // indistinguishable from a missing object
          assertThat(r.json().at("/error/code").asText()).isEqualTo("COMMON_002");
          assertThat(r.json().at("/error/message").asText()).isEqualTo("Not found.");
        }
      }
    }
    assertThat(mismatches).as("authorization matrix (" + cells + " cells)").isEmpty();
    assertThat(memberKey).isPositive();
  }

  @Test
  void listsNeverShowAnotherTenantsObjects() {
    JsonNode users = api.get("/v1/users?page_size=200", creds.get("other_tenant_admin")).json();
    assertThat(users.get("data")).isNotEmpty()
        .allSatisfy(u -> assertThat(u.get("email").asText()).isEqualTo("ta@b.test"));
    JsonNode keys = api.get("/v1/keys?page_size=200", creds.get("other_tenant_admin")).json();
    assertThat(keys.get("data")).allSatisfy(k -> assertThat(k.get("tenant_id").asLong()).isNotEqualTo(tenantA));
    JsonNode supplierKeys = api.get("/v1/keys?page_size=200", creds.get("supplier")).json();
    assertThat(supplierKeys.get("data")).allSatisfy(k -> assertThat(k.get("tenant_id").asLong()).isNotEqualTo(tenantA));
    // a member sees only their own keys even when asking for another user's
    JsonNode own = api.get("/v1/keys?page_size=200&user_id=" + victim, creds.get("member")).json();
    assertThat(own.get("data")).allSatisfy(k -> assertThat(k.get("user_id").asLong()).isEqualTo(member));
    // a tenant admin of another tenant cannot create a key for a user of tenant A
    assertThat(api.post("/v1/keys", creds.get("other_tenant_admin"), "{\"user_id\":" + member + "}").status())
        .isEqualTo(404);
  }

  @Test
  void roleChangesFollowTheRules() {
    var accounts = gw.gateway.accounts();
    long tenantT = accounts.createTenant("T");
    long ta = Users.create(accounts, "ta@t.test", PW, "TA T", "tenant_admin", tenantT);
    long m = Users.create(accounts, "m@t.test", PW, "M T", "member", tenantT);
    String taToken = api.login("ta@t.test", PW);
    String mToken = api.login("m@t.test", PW);
    assertThat(api.call("PUT", "/v1/users/" + m, mToken, "{\"role\":\"tenant_admin\"}").status()).isEqualTo(403);
    assertThat(api.call("PUT", "/v1/users/" + m, taToken, "{\"role\":\"admin\"}").status()).isEqualTo(403);
    assertThat(api.call("PUT", "/v1/users/" + m, taToken, "{\"role\":\"supplier\"}").status()).isEqualTo(200);
    assertThat(api.call("PUT", "/v1/users/" + member, taToken, "{\"role\":\"supplier\"}").status()).isEqualTo(404);
    assertThat(api.call("PUT", "/v1/users/" + m, creds.get("admin"), "{\"role\":\"tenant_admin\"}").status())
        .isEqualTo(200);
    assertThat(api.call("PUT", "/v1/users/" + ta, creds.get("admin"), "{\"role\":\"king\"}").status()).isEqualTo(400);
    assertThat(gw.gateway.audit().all()).anySatisfy(a -> {
      assertThat(a.action()).isEqualTo("user.update");
      assertThat(a.afterJson()).contains("\"role\":\"tenant_admin\"");
    });
  }
}
