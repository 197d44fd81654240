package com.lijiaoqiao.access;

import java.time.Instant;
import java.util.Set;

/**
 * Who a platform key speaks for, as the data plane needs it: held in memory, never the secret itself.
 * {@code status} is the key's status, or {@code user_<status>} when its user is not active; {@code role} is
 * the user's role. {@code activity} carries the last-used time, written to the database off the request path.
 */
public record ApiKeyPrincipal(
    long keyId,
    long userId,
    long tenantId,
    String name,
    String displayPrefix,
    Set<String> allowedModels,
    int rpmLimit,
    int tpmLimit,
    String status,
    Instant expiresAt,
    String role,
    IpAllowList allowedIps,
    KeyActivity activity,
    com.lijiaoqiao.budgets.Budget budget) {

  public ApiKeyPrincipal {
    if (allowedIps == null) allowedIps = IpAllowList.ANY;
    if (activity == null) activity = new KeyActivity();
    if (role == null) role = "member";
    if (budget == null) budget = com.lijiaoqiao.budgets.Budget.NONE;
  }

  /** A key without spend budgets. */
  public ApiKeyPrincipal(long keyId, long userId, long tenantId, String name, String displayPrefix,
                         Set<String> allowedModels, int rpmLimit, int tpmLimit, String status, Instant expiresAt,
                         String role, IpAllowList allowedIps, KeyActivity activity) {
    this(keyId, userId, tenantId, name, displayPrefix, allowedModels, rpmLimit, tpmLimit, status, expiresAt, role,
        allowedIps, activity, null);
  }

  /** The same key with another's last-used tracker (so a re-read keeps what is not yet written). */
  public ApiKeyPrincipal withActivity(KeyActivity other) {
    return new ApiKeyPrincipal(keyId, userId, tenantId, name, displayPrefix, allowedModels, rpmLimit, tpmLimit, status,
        expiresAt, role, allowedIps, other, budget);
  }

  public boolean active(Instant now) {
    return "active".equals(status) && (expiresAt == null || now.isBefore(expiresAt));
  }

  /** An empty allow-list means every model in the catalogue. */
  public boolean mayUse(String model) {
    return allowedModels.isEmpty() || allowedModels.contains(model);
  }

  /** The same key with another status (revocation, a disabled user): shares the activity holder. */
  public ApiKeyPrincipal withStatus(String newStatus) {
    return new ApiKeyPrincipal(keyId, userId, tenantId, name, displayPrefix, allowedModels, rpmLimit, tpmLimit,
        newStatus, expiresAt, role, allowedIps, activity, budget);
  }
}
