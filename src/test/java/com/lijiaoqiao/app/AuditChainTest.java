package com.lijiaoqiao.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.Http;
import com.lijiaoqiao.testing.TestCallers;
import com.lijiaoqiao.testing.TestGateway;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * The audit log through HTTP and the CLI: administrative changes are listed with filters, the chain verifies on a
 * real history, and `ljq audit verify` fails naming the row an edit broke.
 */
class AuditChainTest {
  static Http.Reply admin(TestGateway gw, String method, String path, String body, String... headers) {
    String root = gw.baseUrl().substring(0, gw.baseUrl().length() - 3);
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(root + path)).header(TestCallers.HEADER, TestCallers.admin())
        .header("content-type", "application/json");
    for (int i = 0; i + 1 < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
    return Http.send(b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body)).build());
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void theChainVerifiesAndAnEditedRowIsNamed() throws Exception {
    TestGateway gw = TestGateway.start(Databases.Kind.H2);
    long altered;
    try {
      gw.gateway.api().callerResolver(new TestCallers());
      assertThat(admin(gw, "PUT", "/admin/models/gpt-4o-mini", "{\"input\":\"0.15\",\"output\":\"0.60\"}").status())
          .isEqualTo(200);
      assertThat(admin(gw, "POST", "/admin/tenants/" + gw.tenantId + "/credit", "{\"amount\":\"2.00\"}",
          "Idempotency-Key", "audit-1").status()).isEqualTo(200);
      assertThat(admin(gw, "POST", "/admin/redemption-codes", "{\"amount\":\"1.00\",\"count\":2}").status()).isEqualTo(201);
      assertThat(admin(gw, "PUT", "/admin/risk/rules", "{\"rules\":{\"high_velocity\":{\"threshold\":5000}}}").status())
          .isEqualTo(200);

      JsonNode all = admin(gw, "GET", "/admin/audit?limit=100", null).json().get("data");
      assertThat(all.size()).isGreaterThanOrEqualTo(4);
      JsonNode credits = admin(gw, "GET", "/admin/audit?action=tenant.credit&tenant_id=" + gw.tenantId, null).json()
          .get("data");
      assertThat(credits).hasSize(1);
      assertThat(credits.get(0).get("after").get("amount").asText()).isEqualTo("2.00");
      JsonNode codes = admin(gw, "GET", "/admin/audit?action=redemption_codes", null).json().get("data");
      assertThat(codes.get(0).toString()).doesNotContainPattern("LJQ-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}");
      JsonNode page = admin(gw, "GET", "/admin/audit?limit=2", null).json();
      assertThat(page.get("data")).hasSize(2);
      JsonNode next = admin(gw, "GET", "/admin/audit?limit=2&before_id=" + page.get("next_before_id").asLong(), null)
          .json().get("data");
      assertThat(next.get(0).get("id").asLong()).isLessThan(page.get("data").get(1).get("id").asLong() + 1);
      assertThat(admin(gw, "GET", "/admin/audit/verify", null).json().get("ok").asBoolean()).isTrue();
      assertThat(admin(gw, "GET", "/admin/audit?before_id=x", null).status()).isEqualTo(400);

      altered = credits.get(0).get("id").asLong();
      try (var c = gw.gateway.database().dataSource().getConnection(); var st = c.createStatement()) {
        st.executeUpdate("UPDATE audit_events SET after_json = '{\"amount\":\"2000.00\"}' WHERE id = " + altered);
      }
      JsonNode v = admin(gw, "GET", "/admin/audit/verify", null).json();
      assertThat(v.get("ok").asBoolean()).isFalse();
      assertThat(v.get("first_broken_id").asLong()).isEqualTo(altered);
    } finally {
      gw.stop(); // the embedded database is one process's: the CLI opens it after
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream old = System.out;
    int code;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      code = new CommandLine(new Main()).execute("audit", "verify", "--data-dir", gw.dataDir.toString());
    } finally {
      System.setOut(old);
      gw.close();
    }
    assertThat(code).isEqualTo(1);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("AUDIT CHAIN BROKEN at row " + altered);
  }
}
