package com.lijiaoqiao.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.lijiaoqiao.testing.Http;
import com.lijiaoqiao.testing.TestGateway;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** `ljq demo` on the same data directory twice: the same admin, the same key, the balance carried over. */
class DemoRestartTest {
  static final String CHAT = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aRestartKeepsCredentialsKeysAndBalances() throws Exception {
    Path dir = Files.createTempDirectory("ljq-demo").resolve("data");
    Bootstrap.DemoCredentials first;
    long balanceAfterFirst;
    Gateway g = Gateway.start(DemoCommand.demoConfig(TestGateway.freePort(), dir));
    try {
      first = Bootstrap.ensureDemo(g, dir, Bootstrap.DemoLimits.DEFAULT);
      assertThat(first.apiKey()).startsWith("lgw-");
      assertThat(first.adminPassword()).hasSizeGreaterThanOrEqualTo(16);
      Http.Reply r = Http.postJson(g.baseUrl() + "/chat/completions", first.apiKey(), CHAT);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.header("x-ljq-cost")).isNotBlank();
      long demoTenant = g.accounts().findUserByEmail(Bootstrap.DEMO_USER_EMAIL).orElseThrow().tenantId();
      balanceAfterFirst = g.billing().wallets().snapshot(demoTenant).balance();
      assertThat(balanceAfterFirst).isLessThan(10_000_000L).isGreaterThan(9_000_000L);
    } finally {
      g.close();
    }
    Gateway again = Gateway.start(DemoCommand.demoConfig(TestGateway.freePort(), dir));
    try {
      Bootstrap.DemoCredentials second = Bootstrap.ensureDemo(again, dir, Bootstrap.DemoLimits.DEFAULT);
      assertThat(second).isEqualTo(first);
      long demoTenant = again.accounts().findUserByEmail(Bootstrap.DEMO_USER_EMAIL).orElseThrow().tenantId();
      assertThat(again.billing().wallets().snapshot(demoTenant).balance()).isEqualTo(balanceAfterFirst);
      assertThat(Http.postJson(again.baseUrl() + "/chat/completions", second.apiKey(), CHAT).status()).isEqualTo(200);
    } finally {
      again.close();
    }
  }
}
