package com.lijiaoqiao.budgets;

import static org.assertj.core.api.Assertions.assertThat;

import com.lijiaoqiao.testing.Redises;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The shared counters on the real Redis: atomic check-and-hold, settle turns a hold into spend, holds of a dead node lapse. */
class RedisSpendCountersTest {
  Vertx vertx;
  Redis client;
  RedisAPI api;
  final String prefix = "ljq-test-" + System.nanoTime() + ":";

  @BeforeEach
  void start() {
    String url = Redises.require();
    vertx = Vertx.vertx();
    client = Redis.createClient(vertx, new RedisOptions().setConnectionString(url));
    api = RedisAPI.api(client);
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  List<SpendCounters.Line> lines(long tenantMonth) {
    return Budgets.lines(1, Budget.NONE, 2, new Budget(null, null, tenantMonth), Instant.now());
  }

  @Test
  void holdsAndSpendCountTogetherAgainstTheBudget() throws Exception {
    RedisSpendCounters c = new RedisSpendCounters(api, prefix, 60_000);
    String tenantMonth = lines(100).get(5).counter();
    assertThat(await(c.hold("r1", lines(100), 60)).held()).isTrue();
    SpendCounters.Verdict refused = await(c.hold("r2", lines(100), 41));
    assertThat(refused.held()).isFalse();
    assertThat(refused.refusedBy().budget()).isEqualTo("tenant_month");
    assertThat(refused.heldMicros()).isEqualTo(60);
    await(c.settle("r1", List.of(tenantMonth), lines(100), 25));
    assertThat(await(c.spent(List.of(tenantMonth))).get(tenantMonth)).isEqualTo(25);
    assertThat(await(c.hold("r2", lines(100), 75)).held()).isTrue();
    assertThat(await(c.hold("r3", lines(100), 1)).spentMicros()).isEqualTo(25);
  }

  @Test
  void aHoldNobodySettlesLapsesAfterItsDeadline() throws Exception {
    RedisSpendCounters c = new RedisSpendCounters(api, prefix, 50);
    assertThat(await(c.hold("dead-node", lines(100), 100)).held()).isTrue();
    boolean held = false;
    for (int i = 0; i < 100 && !held; i++) {
      Thread.sleep(20);
      held = await(c.hold("later", lines(100), 100)).held();
    }
    assertThat(held).isTrue();
  }
}
