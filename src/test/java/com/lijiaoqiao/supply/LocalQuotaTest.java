package com.lijiaoqiao.supply;

import static org.assertj.core.api.Assertions.assertThat;

import com.lijiaoqiao.billing.Wallets;
import io.vertx.core.Future;
import org.junit.jupiter.api.Test;

/** One node's package quotas: holds never exceed what is left, a settlement uses tokens, the snapshot shows both. */
class LocalQuotaTest {
  @Test
  void holdsSettlementsAndTheSnapshotAgree() {
    LocalQuota q = new LocalQuota(id -> Future.succeededFuture(1_000L));
    assertThat(q.reserve("r1", 7, 600).result().held()).isTrue();
    assertThat(q.reserve("r2", 7, 600).result().held()).isFalse(); // 400 left
    assertThat(q.reserve("r2", 7, 600).result().availableMicros()).isEqualTo(400);
    q.settle("r1", 7, 250);
    Wallets.Snapshot s = q.snapshot(7).result();
    assertThat(s.balance()).isEqualTo(750);
    assertThat(s.reserved()).isZero();
    assertThat(q.reserve("r3", 7, 750).result().held()).isTrue();
    q.release("r3", 7);
    assertThat(q.snapshot(7).result().reserved()).isZero();
  }
}
