package com.lijiaoqiao.budgets;

/** A tenant's spend budgets and its request (RPM) and token (TPM) limits across all its keys; 0 = no limit. */
public record TenantLimit(long tenantId, Budget budget, int rpmLimit, int tpmLimit) {
  public TenantLimit {
    if (budget == null) budget = Budget.NONE;
  }

  public static TenantLimit none(long tenantId) {
    return new TenantLimit(tenantId, Budget.NONE, 0, 0);
  }

  public boolean rateLimited() {
    return rpmLimit > 0 || tpmLimit > 0;
  }
}
