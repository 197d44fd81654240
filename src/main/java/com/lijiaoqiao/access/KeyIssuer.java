package com.lijiaoqiao.access;

import java.time.Instant;
import java.util.Set;

/** Creates platform keys: the secret is returned once to the caller; only its hash is kept. */
public final class KeyIssuer {
  private final ApiKeyStore store;
  private final ApiKeySecrets secrets;
  private final KeyRegistry registry;

  public KeyIssuer(ApiKeyStore store, ApiKeySecrets secrets, KeyRegistry registry) {
    this.store = store;
    this.secrets = secrets;
    this.registry = registry;
  }

  public record Issued(long keyId, String secret, ApiKeyPrincipal principal) {}

  /** Blocking (writes the database). */
  public Issued issue(long userId, long tenantId, String name, Set<String> allowedModels, int rpm, int tpm,
                      Instant expiresAt) {
    String key = ApiKeySecrets.newKey();
    String hash = secrets.hash(key);
    String display = ApiKeySecrets.displayPrefix(key);
    long id = store.insert(new ApiKeyStore.NewKey(userId, tenantId, hash, display, name, allowedModels, rpm, tpm,
        expiresAt));
    ApiKeyPrincipal p = new ApiKeyPrincipal(id, userId, tenantId, name, display, allowedModels, rpm, tpm, "active",
        expiresAt);
    registry.put(hash, p);
    return new Issued(id, key, p);
  }
}
