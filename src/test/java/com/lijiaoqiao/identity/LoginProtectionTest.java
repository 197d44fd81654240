package com.lijiaoqiao.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.lijiaoqiao.access.HashingPool;
import com.lijiaoqiao.testing.Api;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.Http;
import com.lijiaoqiao.testing.TestGateway;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The per-node defences in front of the database lock-out: the sign-in throttle and the bounded hashing pool.
 * Both live in memory, so one database (H2) is enough; the lock-out itself runs on H2 and PostgreSQL in
 * {@link IdentityContract}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LoginProtectionTest {
  static final String PASSWORD = "correct-horse-battery";

  static String newUser(TestGateway gw) {
    String email = "p-" + System.nanoTime() + "@protect.test";
    Users.create(gw.gateway.accounts(), email, PASSWORD, "P", "member", null);
    return email;
  }

  static Http.Reply signIn(Api api, String email, String password) {
    return api.post("/v1/auth/token", null, "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}");
  }

  static void assertRateLimited(Http.Reply r) {
    assertThat(r.status()).as(r.body()).isEqualTo(429);
    assertThat(r.json().at("/error/code").asText()).isEqualTo("RATE_LIMIT_001");
    assertThat(r.json().at("/error/retryable").asBoolean()).isTrue();
    assertThat(r.json().at("/error/message_i18n/zh_CN").asText()).isNotBlank();
    assertThat(Long.parseLong(r.header("retry-after"))).isPositive();
  }

  @Test
  void failedSignInsAreThrottledPerAccountAndPerIpButSuccessesAreFree() {
    try (TestGateway gw = TestGateway.start(Databases.Kind.H2, c -> {
      c.security.loginPerIpPerMinute = 3;
      c.security.loginPerAccountPerMinute = 2;
    })) {
      Api api = new Api(gw.gateway.port());
      String a = newUser(gw);
      for (int i = 0; i < 6; i++) {
        assertThat(signIn(api, a, PASSWORD).status()).as("successes use no budget").isEqualTo(200);
      }

      assertThat(signIn(api, a, "wrong-1").status()).isEqualTo(401);
      assertThat(signIn(api, a, "wrong-2").status()).isEqualTo(401);
      Http.Reply perAccount = signIn(api, a, "wrong-3");
      assertRateLimited(perAccount);
      assertThat(Long.parseLong(perAccount.header("retry-after"))).isBetween(1L, 30L); // 2/min: one every 30 s

      // the third failure from this address (unknown e-mail: throttled the same way) ...
      assertThat(signIn(api, "nobody-" + System.nanoTime() + "@protect.test", "wrong").status()).isEqualTo(401);
      // ... and the fourth is refused before any hashing, whatever the account
      Http.Reply perIp = signIn(api, newUser(gw), PASSWORD);
      assertRateLimited(perIp);
      assertThat(Long.parseLong(perIp.header("retry-after"))).isBetween(1L, 20L); // 3/min: one every 20 s
      // a throttled attempt never reached the lock-out count
      assertThat(gw.gateway.accounts().findUserByEmail(a).orElseThrow().failedLogins()).isEqualTo(2);
    }
  }

  @Test
  void aFullHashingPoolRefusesSignInsAtOnceAndLeavesTheRestOfTheGatewayAlone() throws Exception {
    try (TestGateway gw = TestGateway.start(Databases.Kind.H2, c -> {
      c.security.hashingThreads = 1;
      c.security.hashingQueue = 1;
      c.security.loginPerIpPerMinute = 0;
      c.security.loginPerAccountPerMinute = 0;
    })) {
      Api api = new Api(gw.gateway.port());
      String email = newUser(gw);
      long id = gw.gateway.accounts().findUserByEmail(email).orElseThrow().id();
      String token = api.login(email, PASSWORD);

      HashingPool pool = gw.gateway.hashingPool();
      CountDownLatch release = new CountDownLatch(1);
      CountDownLatch running = new CountDownLatch(1);
      List<io.vertx.core.Future<Object>> hogs = new ArrayList<>();
      hogs.add(pool.submit(() -> { // takes the one thread ...
        running.countDown();
        return release.await(60, TimeUnit.SECONDS);
      }));
      assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
      hogs.add(pool.submit(() -> release.await(60, TimeUnit.SECONDS))); // ... and the one queue slot
      assertThat(hogs.get(1).failed()).isFalse();
      assertThat(pool.queued()).isEqualTo(1);
      ExecutorService flood = Executors.newFixedThreadPool(16);
      try {
        // A flood while hashing is saturated: every sign-in is refused at once. They all answer while the
        // pool is still blocked, so none of them waited for a hashing thread.
        List<Future<Http.Reply>> replies = new ArrayList<>();
        for (int i = 0; i < 16; i++) replies.add(flood.submit(() -> signIn(api, email, "wrong-password")));
        for (Future<Http.Reply> f : replies) assertRateLimited(f.get(30, TimeUnit.SECONDS));
        assertThat(pool.queued()).isLessThanOrEqualTo(pool.queueCapacity());
        assertRateLimited(api.call("PUT", "/v1/users/" + id, token,
            "{\"password\":\"new-password-123\",\"old_password\":\"" + PASSWORD + "\"}"));

        // management and data plane do not hash, so they are served as usual
        assertThat(api.get("/v1/users/" + id, token).status()).isEqualTo(200);
        assertThat(api.call("PUT", "/v1/users/" + id, token, "{\"name\":\"still here\"}").status()).isEqualTo(200);
        assertThat(api.complete(gw.apiKey).status()).isEqualTo(200);
        assertThat(release.getCount()).as("everything above answered while hashing was blocked").isEqualTo(1);
      } finally {
        release.countDown();
        flood.shutdownNow();
      }
      for (var h : hogs) h.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      // the refused attempts were never counted against the account
      assertThat(gw.gateway.accounts().findUserByEmail(email).orElseThrow().failedLogins()).isZero();
      assertThat(signIn(api, email, PASSWORD).status()).isEqualTo(200);
    }
  }
}
