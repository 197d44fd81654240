package com.lijiaoqiao.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WebhookSignatureTest {
  @Test
  void theSignatureIsTheHexHmacOfTimestampDotBody() {
    // Fixed vector (also in docs/webhooks.md): python3 -c "import hmac,hashlib;
    // print(hmac.new(b'whsec_test', b'1700000000.{\"id\":\"evt_1\"}', hashlib.sha256).hexdigest())"
    String body = "{\"id\":\"evt_1\"}";
    assertThat(WebhookSignature.header("whsec_test", 1_700_000_000L, body))
        .isEqualTo("t=1700000000,v1=" + WebhookSignature.hmac("whsec_test", 1_700_000_000L, body));
    assertThat(WebhookSignature.hmac("whsec_test", 1_700_000_000L, body))
        .isEqualTo("c89214b5b5da833daed6f0b8c5bb6bd58cea9022bd80ccc78230f3942d632925");
  }

  @Test
  void verificationRefusesOtherSecretsBodiesAndOldTimestamps() {
    String h = WebhookSignature.header("whsec_a", 1_000, "{}");
    assertThat(WebhookSignature.verify("whsec_a", h, "{}", 1_000, 300)).isTrue();
    assertThat(WebhookSignature.verify("whsec_a", h, "{}", 1_300, 300)).isTrue();
    assertThat(WebhookSignature.verify("whsec_a", h, "{}", 1_301, 300)).isFalse();
    assertThat(WebhookSignature.verify("whsec_b", h, "{}", 1_000, 300)).isFalse();
    assertThat(WebhookSignature.verify("whsec_a", h, "{ }", 1_000, 300)).isFalse();
    assertThat(WebhookSignature.verify("whsec_a", "t=1000", "{}", 1_000, 300)).isFalse();
    assertThat(WebhookSignature.verify("whsec_a", null, "{}", 1_000, 300)).isFalse();
  }

  @Test
  void secretsAreFreshAndPrefixed() {
    String a = WebhookSignature.newSecret();
    assertThat(a).startsWith("whsec_").hasSize(6 + 43).isNotEqualTo(WebhookSignature.newSecret());
  }

  @Test
  void responsePrefixesKeepPrintableAsciiOnly() {
    assertThat(WebhookSender.scrub("no\u0007 thanks\r\n\n  secret\u00e9!")).isEqualTo("no thanks secret !");
    assertThat(WebhookSender.scrub("x".repeat(1000))).hasSize(200);
    assertThat(WebhookSender.scrub(" \n ")).isNull();
  }
}
