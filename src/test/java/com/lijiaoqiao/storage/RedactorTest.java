package com.lijiaoqiao.storage;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What request logs keep of a body: secrets always gone, personal data as configured. */
class RedactorTest {
  final Redactor all = new Redactor(true, true, true);

  @Test
  void secretsAreAlwaysRemoved() {
    Redactor none = new Redactor(false, false, false);
    String s = none.clean("keys: lgw-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg sk-ant-api03-abcdefghijklmnop1234 "
        + "AKIAABCDEFGHIJKLMNOP Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.abcdefghij and upstream-cred-xyz", "upstream-cred-xyz");
    assertThat(s).doesNotContain("lgw-AbCd").doesNotContain("sk-ant").doesNotContain("AKIA").doesNotContain("eyJhb")
        .doesNotContain("upstream-cred-xyz").contains("keys: [secret]");
  }

  @Test
  void personalDataIsReplacedAndOrdinaryNumbersAndDatesSurvive() {
    String s = all.clean("mail a.b+c@mail.example.org, call +1 415-555-0199 or 13812345678, "
        + "card 4111 1111 1111 1111, order 1234567890123, on 2026-12-07, 42 tokens", null);
    assertThat(s).contains("mail [email]").contains("call [phone] or [phone]").contains("card [card]")
        .contains("order 1234567890123").contains("2026-12-07").contains("42 tokens");
  }

  @Test
  void eachKindOfPersonalDataCanBeKept() {
    Redactor emailsOnly = new Redactor(true, false, false);
    assertThat(emailsOnly.clean("x@y.com 4111111111111111", null)).isEqualTo("[email] 4111111111111111");
  }
}
