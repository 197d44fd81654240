package com.lijiaoqiao.access;

import java.time.Instant;
import java.util.Set;

/** Who a platform key speaks for, as the data plane needs it: held in memory, never the secret itself. */
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
    Instant expiresAt) {

  public boolean active(Instant now) {
    return "active".equals(status) && (expiresAt == null || now.isBefore(expiresAt));
  }

  /** An empty allow-list means every model in the catalogue. */
  public boolean mayUse(String model) {
    return allowedModels.isEmpty() || allowedModels.contains(model);
  }
}
