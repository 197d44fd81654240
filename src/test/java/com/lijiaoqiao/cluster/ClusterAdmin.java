package com.lijiaoqiao.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.testing.Api;
import com.lijiaoqiao.testing.Http;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;

/** Provisioning through a node's admin API, as an operator would: users (each its own tenant), keys, credits. */
final class ClusterAdmin {
  record Tenant(long id, String key) {}

  private final ClusterNode node;
  private final Api api;
  private final String token;

  ClusterAdmin(ClusterNode node) {
    this.node = node;
    this.api = new Api(node.port);
    this.token = api.login(ClusterNode.ADMIN_EMAIL, ClusterNode.ADMIN_PASSWORD);
  }

  /** A member in a tenant of its own, with one key of the given requests-per-minute limit. */
  Tenant tenant(String name, int rpm) {
    Http.Reply u = api.post("/admin/users", token, "{\"email\":\"" + name + "@cluster.test\",\"password\":"
        + "\"member-password-1\",\"name\":\"" + name + "\",\"role\":\"member\"}");
    if (u.status() != 201) throw new AssertionError("create user: " + u.status() + " " + u.body());
    JsonNode user = u.json();
    Http.Reply k = api.post("/v1/keys", token, "{\"user_id\":" + user.get("id").asLong() + ",\"name\":\"" + name
        + "\",\"rpm_limit\":" + rpm + ",\"tpm_limit\":1000000000}");
    if (k.status() != 201) throw new AssertionError("create key: " + k.status() + " " + k.body());
    return new Tenant(user.get("tenant_id").asLong(), k.json().get("key").asText());
  }

  /** {@code POST /admin/tenants/{id}/credit}; fails the test unless it is accepted. */
  void credit(long tenant, String amount, String idempotencyKey) {
    HttpRequest req = HttpRequest.newBuilder(URI.create(node.baseUrl() + "/admin/tenants/" + tenant + "/credit"))
        .timeout(Duration.ofSeconds(30))
        .header("authorization", "Bearer " + token)
        .header("content-type", "application/json")
        .header("idempotency-key", idempotencyKey)
        .POST(HttpRequest.BodyPublishers.ofString("{\"amount\":\"" + amount + "\",\"note\":\"cluster test\"}"))
        .build();
    Http.Reply r = Http.send(req);
    if (r.status() != 200) throw new AssertionError("credit: " + r.status() + " " + r.body());
  }
}
