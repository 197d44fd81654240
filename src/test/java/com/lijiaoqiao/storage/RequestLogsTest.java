package com.lijiaoqiao.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.lijiaoqiao.access.KeyIssuer;
import com.lijiaoqiao.app.GatewayConfig;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.Http;
import com.lijiaoqiao.testing.S3Server;
import com.lijiaoqiao.testing.TestCallers;
import com.lijiaoqiao.testing.TestGateway;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 18: request logs are opt-in per tenant. A tenant that turned them on gets its requests' bodies stored (with
 * request id, model, provider and usage) and a planted secret and e-mail address redacted; a tenant that did not gets
 * nothing stored. The switch is a tenant admin's or an operator's, and bad input is a 400.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RequestLogsTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String UPSTREAM_SECRET = "sk-proj-PLANTEDsecret0123456789abcdef";

  static String chat(String content, boolean stream) {
    return "{\"model\":\"gpt-4o-mini\",\"max_tokens\":20,\"stream\":" + stream
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}";
  }

  @Test
  void onlyTheOptedInTenantsBodiesAreStoredRedacted() throws Exception {
    try (S3Server s3 = new S3Server()) {
      TestGateway gw = TestGateway.start(Databases.Kind.H2, c -> {
        s3.configure(c, "logs");
        c.storage.archive.enabled = false;
        GatewayConfig.PriceSpec p = new GatewayConfig.PriceSpec();
        p.input = "0.15";
        p.output = "0.60";
        c.billing.models.put("gpt-4o-mini", p);
      });
      S3ObjectStore reader = null;
      try {
        gw.gateway.api().callerResolver(new TestCallers());
        long other = gw.gateway.accounts().createTenant("quiet tenant");
        long otherUser = gw.gateway.accounts().createUser("quiet-" + System.nanoTime() + "@test.local", "x", "Q",
            other, "member");
        KeyIssuer.Issued otherKey = gw.gateway.keyIssuer().issue(otherUser, other, "q", Set.of(), 1000, 10_000_000, null);
        gw.gateway.billing().credit(gw.tenantId, 10_000_000, "logs-a", "start", null);
        gw.gateway.billing().credit(other, 10_000_000, "logs-b", "start", null);

        String url = gw.baseUrl().replace("/v1", "") + "/v1/request-logs/settings";
        String admin = gw.userId + "," + gw.tenantId + ",tenant_admin";
        assertThat(send("PUT", url, gw.userId + "," + gw.tenantId + ",member", "{\"enabled\":true}").status())
            .isEqualTo(403);
        assertThat(send("PUT", url, admin, "{\"enabled\":\"yes\"}").status()).isEqualTo(400);
        assertThat(send("PUT", url, admin, "{\"retention_days\":0}").status()).isEqualTo(400);
        assertThat(send("PUT", url, admin, "{}").status()).isEqualTo(400);
        Http.Reply on = send("PUT", url, admin, "{\"enabled\":true,\"retention_days\":14}");
        assertThat(on.status()).as(on.body()).isEqualTo(200);
        assertThat(on.json().get("enabled").asBoolean()).isTrue();
        assertThat(on.json().get("retention_days").asInt()).isEqualTo(14);
        assertThat(send("GET", gw.baseUrl().replace("/v1", "") + "/admin/tenants/" + other + "/request-logs",
            TestCallers.admin(), null).json().get("enabled").asBoolean()).isFalse();

        String planted = "my email is jane.doe@example.com and my key is " + UPSTREAM_SECRET + " and " + gw.apiKey;
        List<String> ids = new ArrayList<>();
        Http.Reply r = Http.postJson(gw.baseUrl() + "/chat/completions", gw.apiKey, chat(planted, false));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        ids.add(r.header("x-request-id"));
        try (Http.Stream s = Http.stream(gw.baseUrl() + "/chat/completions", gw.apiKey, chat(planted, true))) {
          assertThat(s.status).isEqualTo(200);
          ids.add(s.headers.firstValue("x-request-id").orElseThrow());
          s.rest();
        }
        Http.Reply quiet = Http.postJson(gw.baseUrl() + "/chat/completions", otherKey.secret(), chat(planted, false));
        assertThat(quiet.status()).isEqualTo(200);

        gw.stop(); // the queue goes to the spool and up to the store
        reader = new S3ObjectStore(new S3ObjectStore.Settings(s3.endpoint(), "us-east-1", s3.bucket, "logs", true,
            S3Server.ACCESS_KEY, S3Server.SECRET_KEY, "", "", Duration.ofSeconds(3), 2));
        assertThat(reader.list("request-logs/tenant=" + other + "/", 100)).isEmpty();
        List<ObjectStore.Listed> files = reader.list("request-logs/tenant=" + gw.tenantId + "/", 100);
        assertThat(files).isNotEmpty();
        List<JsonNode> lines = new ArrayList<>();
        StringBuilder all = new StringBuilder();
        for (ObjectStore.Listed f : files) {
          assertThat(f.key()).matches("request-logs/tenant=" + gw.tenantId + "/date=\\d{4}-\\d{2}-\\d{2}/.+\\.jsonl\\.gz");
          String text = new String(new GZIPInputStream(new ByteArrayInputStream(reader.get(f.key()))).readAllBytes(),
              StandardCharsets.UTF_8);
          all.append(text);
          for (String l : text.split("\n")) if (!l.isBlank()) lines.add(JSON.readTree(l));
        }
        assertThat(lines).extracting(l -> l.get("request_id").asText()).containsExactlyInAnyOrderElementsOf(ids);
        for (JsonNode l : lines) {
          assertThat(l.get("schema_version").asInt()).isEqualTo(1);
          assertThat(l.get("model").asText()).isEqualTo("gpt-4o-mini");
          assertThat(l.get("provider").asText()).isEqualTo("sim");
          assertThat(l.at("/usage/completion_tokens").asLong()).isPositive();
          assertThat(l.at("/usage/cost_micros").asLong()).isPositive();
          assertThat(l.get("request_body").asText()).contains("[email]").contains("[secret]").contains("my email is");
          assertThat(l.get("response_body").asText()).isNotBlank();
        }
        assertThat(all.toString()).doesNotContain("jane.doe@example.com").doesNotContain(UPSTREAM_SECRET)
            .doesNotContain(gw.apiKey);
      } finally {
        if (reader != null) reader.close();
        gw.close();
      }
    }
  }

  @Test
  void logsWrittenWhileTheStoreIsDownWaitInTheSpoolAndGoUpWhenItIsBack() throws Exception {
    try (S3Server s3 = new S3Server()) {
      TestGateway gw = TestGateway.start(Databases.Kind.H2, c -> {
        s3.configure(c, "spooled");
        c.storage.archive.enabled = false;
        c.storage.requestLogs.flushIntervalMs = 50;
      });
      try {
        gw.gateway.api().callerResolver(new TestCallers());
        assertThat(send("PUT", gw.baseUrl().replace("/v1", "") + "/admin/tenants/" + gw.tenantId + "/request-logs",
            TestCallers.admin(), "{\"enabled\":true}").status()).isEqualTo(200);
        s3.stop();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          Http.Reply r = Http.postJson(gw.baseUrl() + "/chat/completions", gw.apiKey, chat("hello " + i, false));
          assertThat(r.status()).isEqualTo(200);
          ids.add(r.header("x-request-id"));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (gw.gateway.requestLogs().queued() > 0 || gw.gateway.requestLogsSpooled() == 0) {
          assertThat(System.nanoTime()).as("records reach the spool").isLessThan(deadline);
          Thread.sleep(20);
        }
        assertThat(gw.gateway.readiness().ready()).isTrue();
        assertThat(gw.gateway.readiness().checks().get("object_storage")).startsWith("degraded");
        s3.start();
        while (gw.gateway.requestLogsSpooled() > 0) {
          assertThat(System.nanoTime()).as("the spool empties once the store is back").isLessThan(deadline + TimeUnit.SECONDS.toNanos(30));
          try {
            gw.gateway.uploadRequestLogs();
          } catch (ObjectStore.StoreUnavailable stillStarting) {
            Thread.sleep(50);
          }
        }
        StringBuilder all = new StringBuilder();
        for (ObjectStore.Listed f : gw.gateway.objectStore().list("request-logs/tenant=" + gw.tenantId + "/", 100)) {
          all.append(new String(new GZIPInputStream(new ByteArrayInputStream(gw.gateway.objectStore().get(f.key())))
              .readAllBytes(), StandardCharsets.UTF_8));
        }
        for (String id : ids) assertThat(all.toString()).contains(id);
      } finally {
        gw.close();
      }
    }
  }

  static Http.Reply send(String method, String url, String caller, String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header(TestCallers.HEADER, caller)
        .header("content-type", "application/json");
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return Http.send(b.build());
  }
}
