package com.lijiaoqiao.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.lijiaoqiao.access.ApiKeySecrets;
import com.lijiaoqiao.access.KeyIssuer;
import com.lijiaoqiao.app.Gateway;
import com.lijiaoqiao.app.GatewayConfig;
import com.lijiaoqiao.simulator.SimCatalog;
import com.lijiaoqiao.simulator.SimModel;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.Http;
import com.lijiaoqiao.testing.TestGateway;
import java.nio.file.Files;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two gateway nodes on one PostgreSQL: a key made on one works on the other, and a key revoked or rotated on
 * one stops working on the other within the key-sync interval; a provider added on one serves on the other.
 */
class TwoNodesTest {
  static final String CHAT = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  static final String SECRET = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

  static GatewayConfig node(String dbUrl, String redisUrl, String redisPrefix) throws Exception {
    GatewayConfig c = node(dbUrl);
    c.redis.url = redisUrl;
    c.redis.keyPrefix = redisPrefix;
    return c;
  }

  static GatewayConfig node(String dbUrl) throws Exception {
    GatewayConfig c = new GatewayConfig();
    c.dataDir = Files.createTempDirectory("ljq-node").toString();
    c.server.host = "127.0.0.1";
    c.server.port = TestGateway.freePort();
    c.server.eventLoops = 1;
    c.server.shutdownGraceSeconds = 2;
    c.database.url = dbUrl;
    c.database.username = Databases.PG_USER;
    c.security.keyHashSecret = SECRET; // every node hashes keys alike
    c.security.credentialKey = SECRET; // and decrypts the providers' credentials alike
    c.security.keySyncIntervalMs = 200;
    c.routing.registrySyncIntervalMs = 200;
    c.simulator.enabled = true;
    GatewayConfig.ProviderSpec sim = new GatewayConfig.ProviderSpec();
    sim.id = "sim";
    sim.kind = "simulator";
    for (SimModel m : SimCatalog.models()) sim.models.put(m.name(), m.name());
    c.providers.add(sim);
    return c;
  }

  static int statusUntil(Gateway g, String key, int wanted) throws InterruptedException {
    int status = -1;
    for (int i = 0; i < 100 && status != wanted; i++) {
      status = Http.postJson(g.baseUrl() + "/chat/completions", key, CHAT).status();
      if (status != wanted) Thread.sleep(50);
    }
    return status;
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void revocationAndRotationReachTheOtherNode() throws Exception {
    String url = Databases.freshUrl(Databases.Kind.POSTGRES);
    try (Gateway a = Gateway.start(node(url)); Gateway b = Gateway.start(node(url))) {
      long tenant = a.accounts().createTenant("shared");
      long user = a.accounts().createUser("two-nodes@t.local", "x", "u", tenant, "member");
      KeyIssuer.Issued first = a.keyIssuer().issue(user, tenant, "k1", Set.of(), 1000, 1_000_000, null);
      KeyIssuer.Issued second = a.keyIssuer().issue(user, tenant, "k2", Set.of(), 1000, 1_000_000, null);
      // Made on A, used on B (B learns it from the database on first sight).
      assertThat(Http.postJson(b.baseUrl() + "/chat/completions", first.secret(), CHAT).status()).isEqualTo(200);
      assertThat(Http.postJson(b.baseUrl() + "/chat/completions", second.secret(), CHAT).status()).isEqualTo(200);

      // Revoked on A: refused on A at once, and on B after its next sync.
      ApiKeySecrets secrets = new ApiKeySecrets(java.util.HexFormat.of().parseHex(SECRET));
      assertThat(a.keyRepository().revoke(first.keyId())).isTrue();
      a.keys().forget(secrets.hash(first.secret()));
      assertThat(Http.postJson(a.baseUrl() + "/chat/completions", first.secret(), CHAT).status()).isEqualTo(401);
      assertThat(statusUntil(b, first.secret(), 401)).isEqualTo(401);

      // Rotated on A: the old secret stops working on B too.
      String newSecret = ApiKeySecrets.newKey();
      assertThat(a.keyRepository().replaceSecret(second.keyId(), secrets.hash(second.secret()), secrets.hash(newSecret),
          ApiKeySecrets.displayPrefix(newSecret))).isTrue();
      assertThat(statusUntil(b, second.secret(), 401)).isEqualTo(401);
      assertThat(Http.postJson(b.baseUrl() + "/chat/completions", newSecret, CHAT).status()).isEqualTo(200);

      // A provider added through A's admin API serves on B after B's next registry sync.
      a.providers().create(new com.lijiaoqiao.routing.ProviderDef("added-on-a", "openai-compatible",
          a.simulator().baseUrl() + "/v1", "upstream-secret", java.util.Map.of("node-model", "gpt-4o-mini"), true, true,
          true, 128_000, 0, 0.5, 0, 0, "ops", true, "admin"));
      String nodeModel = "{\"model\":\"node-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
      int status = -1;
      for (int i = 0; i < 100 && status != 200; i++) {
        status = Http.postJson(b.baseUrl() + "/chat/completions", newSecret, nodeModel).status();
        if (status != 200) Thread.sleep(50);
      }
      assertThat(status).isEqualTo(200);
    } finally {
      Databases.dropIfPostgres(url);
    }
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void perKeyLimitsHoldAcrossNodesThroughRedis() throws Exception {
    String redis = com.lijiaoqiao.testing.Redises.require();
    String url = Databases.freshUrl(Databases.Kind.POSTGRES);
    String prefix = "ljq-test-" + System.nanoTime() + ":"; // no bucket of an earlier run can interfere
    try (Gateway a = Gateway.start(node(url, redis, prefix)); Gateway b = Gateway.start(node(url, redis, prefix))) {
      long tenant = a.accounts().createTenant("limited");
      long user = a.accounts().createUser("limited@t.local", "x", "u", tenant, "member");
      String key = a.keyIssuer().issue(user, tenant, "k", Set.of(), 3, 1_000_000, null).secret();
      Gateway[] nodes = {a, b, a, b};
      int[] statuses = new int[4];
      Http.Reply last = null;
      for (int i = 0; i < 4; i++) {
        last = Http.postJson(nodes[i].baseUrl() + "/chat/completions", key, CHAT);
        statuses[i] = last.status();
      }
      // 3 requests a minute for the key, wherever they land: the 4th is refused by the other node.
      assertThat(statuses).containsExactly(200, 200, 200, 429);
      assertThat(last.json().at("/error/code").asText()).isEqualTo("RATE_LIMIT_001");
      assertThat(Integer.parseInt(last.header("retry-after"))).isPositive();
      assertThat(last.header("x-ratelimit-limit-requests")).isEqualTo("3");
      assertThat(last.header("x-ratelimit-remaining-requests")).isEqualTo("0");
    } finally {
      Databases.dropIfPostgres(url);
    }
  }
}
