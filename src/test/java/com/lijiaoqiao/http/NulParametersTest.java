package com.lijiaoqiao.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.Http;
import com.lijiaoqiao.testing.TestCallers;
import com.lijiaoqiao.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Found by the hostile suite on PostgreSQL, which can neither store nor compare U+0000 in text: a %00 in a
 * management path or query parameter (a price's model, a request id, a user search) was a 500; it is a 400 naming
 * the parameter, on both databases.
 */
class NulParametersTest {
  @ParameterizedTest
  @EnumSource(Databases.Kind.class)
  void aNulInAPathOrQueryParameterIsA400NamingIt(Databases.Kind db) {
    try (TestGateway gw = TestGateway.start(db)) {
      gw.gateway.api().callerResolver(new TestCallers());
      long adminId = gw.gateway.accounts().createUser("nul-admin@test.local", "x", "Admin", gw.tenantId, "admin");
      String admin = adminId + "," + gw.tenantId + ",admin";
      String root = "http://127.0.0.1:" + gw.gateway.port();
      record Call(String method, String path, String param) {}
      for (Call c : List.of(new Call("PUT", "/admin/models/hx-price%00", "model"),
          new Call("GET", "/admin/requests/%00", "request_id"), new Call("GET", "/admin/requests/req_1%00", "request_id"),
          new Call("GET", "/admin/users?q=%00", "q"), new Call("GET", "/v1/users?search=a%00b", "search"),
          new Call("GET", "/v1/billing/usage?model=gpt%00", "model"))) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(root + c.path())).timeout(Duration.ofSeconds(30))
            .header(TestCallers.HEADER, admin).header("content-type", "application/json");
        b = c.method().equals("PUT") ? b.PUT(HttpRequest.BodyPublishers.ofString("{\"input\":\"0.10\",\"output\":\"0.20\"}"))
            : b.GET();
        Http.Reply r = Http.send(b.build());
        assertThat(r.status()).as(db + " " + c + ": " + r.body()).isEqualTo(400);
        JsonNode e = r.json().get("error");
        assertThat(e.get("code").asText()).isEqualTo("COMMON_001");
        assertThat(e.get("message").asText()).contains("'" + c.param() + "'", "NUL");
      }
      // the same calls without the NUL still work
      Http.Reply ok = Http.send(HttpRequest.newBuilder(URI.create(root + "/admin/users?q=nul"))
          .header(TestCallers.HEADER, admin).GET().build());
      assertThat(ok.status()).as(ok.body()).isEqualTo(200);
    }
  }
}
