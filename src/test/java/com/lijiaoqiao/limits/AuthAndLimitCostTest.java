package com.lijiaoqiao.limits;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.lijiaoqiao.access.ApiKeyPrincipal;
import com.lijiaoqiao.access.ApiKeySecrets;
import com.lijiaoqiao.access.ApiKeyStore;
import com.lijiaoqiao.access.IpAllowList;
import com.lijiaoqiao.access.KeyRegistry;
import com.lijiaoqiao.protocol.Endpoint;
import com.lijiaoqiao.protocol.TokenCounter;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The per-request work of authentication and limits, measured in process (what Authenticate and RateLimit do
 * for one request: shape check, HMAC, registry hit, status/expiry/IP checks, last-used touch, prompt token
 * estimate, both buckets). Prints p50/p99; asserts only a loose bound so a busy CI machine does not flake.
 */
class AuthAndLimitCostTest {
  @Test
  void authenticationAndLimitsCostMicrosecondsPerRequest() throws Exception {
    ApiKeySecrets secrets = new ApiKeySecrets(new byte[32]);
    String key = ApiKeySecrets.newKey();
    String hash = secrets.hash(key);
    ApiKeyPrincipal p = new ApiKeyPrincipal(1, 1, 1, "k", "lgw-x", Set.of(), 1_000_000_000, 1_000_000_000,
        "active", null, "member", IpAllowList.parse("127.0.0.0/8,10.0.0.0/8"), null);
    KeyRegistry registry = new KeyRegistry(new ApiKeyStore() {
      public long insert(NewKey k) { return 0; }
      public List<StoredKey> loadActive() { return List.of(new StoredKey(hash, p)); }
      public Optional<StoredKey> findByHash(String h) { return Optional.empty(); }
      public List<StoredKey> findByUser(long u) { return List.of(); }
      public boolean replaceSecret(long id, String o, String n, String d) { return false; }
      public boolean revoke(long id) { return false; }
      public void updateLastUsed(Map<Long, Long> m) {}
    }, null);
    registry.loadAll();
    LocalRateLimiter limiter = new LocalRateLimiter();
    JsonNode body = new ObjectMapper().readTree("{\"model\":\"gpt-4o-mini\",\"max_tokens\":64,\"messages\":["
        + "{\"role\":\"system\",\"content\":\"You are a helpful assistant.\"},"
        + "{\"role\":\"user\",\"content\":\"Tell me about the bridges of Chongqing, briefly.\"}]}");
    int n = 200_000;
    long[] t = new long[n];
    long sink = 0;
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < n; i++) {
        long s = System.nanoTime();
        if (!ApiKeySecrets.wellFormed(key)) throw new AssertionError();
        ApiKeyPrincipal found = registry.lookup(secrets.hash(key)).result();
        if (!found.active(Instant.now()) || !found.allowedIps().permits("127.0.0.1")) throw new AssertionError();
        found.activity().touch(System.currentTimeMillis());
        long estimate = TokenCounter.countPrompt(Endpoint.CHAT_COMPLETIONS, body) + 64;
        RateLimiter.Decision d = limiter.tryAcquire(found.keyId(), found.rpmLimit(), found.tpmLimit(), estimate);
        limiter.adjust(found.keyId(), found.tpmLimit(), -d.chargedTokens());
        sink += d.remainingRequests();
        t[i] = System.nanoTime() - s;
      }
    }
    Arrays.sort(t);
    double p50 = t[n / 2] / 1000.0;
    double p99 = t[(int) (n * 0.99)] / 1000.0;
    System.out.printf("authenticate + rate limit, per request: p50 %.2f µs, p99 %.2f µs (%d)%n", p50, p99, sink % 2);
    assertThat(p50).isLessThan(200.0);
  }
}
