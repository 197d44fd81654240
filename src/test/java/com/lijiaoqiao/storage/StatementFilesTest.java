package com.lijiaoqiao.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.app.GatewayConfig;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.Http;
import com.lijiaoqiao.testing.S3Server;
import com.lijiaoqiao.testing.TestCallers;
import com.lijiaoqiao.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 18: a month's invoice and a supplier's statement as PDF and CSV files in the bucket, handed out as short-lived
 * presigned links; only the owner tenant or an operator gets one (another tenant's is 404); bad input is a 400.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StatementFilesTest {
  S3Server s3;
  TestGateway gw;
  String root;
  final String month = YearMonth.now(ZoneOffset.UTC).toString();

  @BeforeAll
  void start() throws Exception {
    s3 = new S3Server();
    gw = TestGateway.start(Databases.Kind.H2, c -> {
      s3.configure(c, "files");
      c.storage.archive.enabled = false;
      GatewayConfig.PriceSpec p = new GatewayConfig.PriceSpec();
      p.input = "0.15";
      p.output = "0.60";
      c.billing.models.put("gpt-4o-mini", p);
    });
    gw.gateway.api().callerResolver(new TestCallers());
    gw.gateway.billing().credit(gw.tenantId, 5_000_000, "files-" + gw.tenantId, "start", null);
    Http.Reply r = Http.postJson(gw.baseUrl() + "/chat/completions", gw.apiKey,
        "{\"model\":\"gpt-4o-mini\",\"max_tokens\":20,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    root = gw.baseUrl().replace("/v1", "");
  }

  @AfterAll
  void stop() throws Exception {
    if (gw != null) gw.close();
    if (s3 != null) s3.close();
  }

  String member() {
    return gw.userId + "," + gw.tenantId + ",member";
  }

  @Test
  void theOwnerGetsASignedLinkToAValidPdfAndCsvInvoice() throws Exception {
    // The billing record is written off the request path: ask until the invoice shows the charge.
    JsonNode pdfLink = null;
    String text = "";
    for (int i = 0; i < 200 && !text.contains("gpt-4o-mini"); i++) {
      Http.Reply r = RequestLogsTest.send("GET", root + "/v1/billing/invoices/" + month + "/file?format=pdf", member(), null);
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      pdfLink = r.json();
      byte[] pdf = download(pdfLink.get("url").asText());
      assertThat(new String(pdf, 0, 5, StandardCharsets.US_ASCII)).isEqualTo("%PDF-");
      try (PDDocument doc = Loader.loadPDF(pdf)) {
        text = new PDFTextStripper().getText(doc);
      }
      if (!text.contains("gpt-4o-mini")) Thread.sleep(50);
    }
    assertThat(text).contains("Invoice " + month).contains("closing_balance").contains("gpt-4o-mini");
    assertThat(Instant.parse(pdfLink.get("expires_at").asText())).isAfter(Instant.now());
    assertThat(pdfLink.get("url").asText()).contains("X-Amz-Signature").doesNotContain(S3Server.SECRET_KEY);

    Http.Reply csv = RequestLogsTest.send("GET", root + "/v1/billing/invoices/" + month + "/file?format=csv", member(), null);
    assertThat(csv.status()).isEqualTo(200);
    String body = new String(download(csv.json().get("url").asText()), StandardCharsets.UTF_8);
    assertThat(body).startsWith("section,name,requests,prompt_tokens,completion_tokens,amount\n")
        .contains("summary,topups,,,,5.00").contains("charges_by_model,gpt-4o-mini,1,");
  }

  @Test
  void anotherTenantsInvoiceIs404AndAnOperatorMayNameAnyTenant() {
    long other = gw.gateway.accounts().createTenant("other");
    String stranger = "999," + other + ",tenant_admin";
    String url = root + "/v1/billing/invoices/" + month + "/file?tenant_id=" + gw.tenantId;
    assertThat(RequestLogsTest.send("GET", url, stranger, null).status()).isEqualTo(404);
    assertThat(RequestLogsTest.send("GET", url, TestCallers.admin(), null).status()).isEqualTo(200);
    assertThat(RequestLogsTest.send("GET", root + "/v1/billing/invoices/" + month + "/file?tenant_id=987654",
        TestCallers.admin(), null).status()).isEqualTo(404);
  }

  @Test
  void badInputIsA400() {
    assertThat(RequestLogsTest.send("GET", root + "/v1/billing/invoices/" + month + "/file?format=xml", member(), null)
        .status()).isEqualTo(400);
    assertThat(RequestLogsTest.send("GET", root + "/v1/billing/invoices/2026-13/file", member(), null).status())
        .isEqualTo(400);
    assertThat(RequestLogsTest.send("GET", root + "/v1/billing/invoices/2999-01/file", member(), null).status())
        .isEqualTo(400);
    assertThat(RequestLogsTest.send("GET", root + "/v1/billing/invoices/" + month + "/file?tenant_id=abc", member(), null)
        .status()).isEqualTo(400);
  }

  @Test
  void aSupplierGetsItsStatementAndAConsumerDoesNot() throws Exception {
    long supplierTenant = gw.gateway.accounts().createTenant("supplier co");
    long u = gw.gateway.accounts().createUser("sup-" + System.nanoTime() + "@t.local", "x", "S", supplierTenant,
        "supplier");
    String supplier = u + "," + supplierTenant + ",supplier";
    assertThat(RequestLogsTest.send("GET", root + "/v1/supply/me", supplier, null).status()).isEqualTo(200);
    Http.Reply r = RequestLogsTest.send("GET", root + "/v1/supply/statements/" + month + "/file?format=csv", supplier, null);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    String csv = new String(download(r.json().get("url").asText()), StandardCharsets.UTF_8);
    assertThat(csv).startsWith("section,name,requests,tokens,amount\n").contains("summary,total_earnings,,,0.00");
    // An operator names the supplier; without one there is no statement of its own to give.
    assertThat(RequestLogsTest.send("GET", root + "/v1/supply/statements/" + month + "/file", TestCallers.admin(), null)
        .status()).isEqualTo(403);
    assertThat(RequestLogsTest.send("GET", root + "/v1/supply/statements/" + month + "/file?supplier_id=" + supplierTenant,
        TestCallers.admin(), null).status()).isEqualTo(200);
    assertThat(RequestLogsTest.send("GET", root + "/v1/supply/statements/" + month + "/file", member(), null).status())
        .isEqualTo(403);
  }

  static byte[] download(String url) throws Exception {
    HttpResponse<byte[]> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }
}
