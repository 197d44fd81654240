package com.lijiaoqiao.supply;

import com.lijiaoqiao.billing.ClusterBalance;
import io.vertx.core.Future;
import java.util.function.LongFunction;

/** Packages' quotas held in this node's memory alone (one node without Redis or leases). */
public final class LocalQuotaFactory {
  private LocalQuotaFactory() {}

  public static ClusterBalance create(LongFunction<Future<Long>> remaining) {
    return new LocalQuota(remaining);
  }
}
