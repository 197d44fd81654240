package com.lijiaoqiao.access;

import java.time.Instant;
import java.util.Set;

/** Creates and rotates platform keys: the secret is returned once to the caller; only its hash is kept. */
public final class KeyIssuer {
  private final ApiKeyStore store;
  private final ApiKeySecrets secrets;
  private final KeyRegistry registry;

  public KeyIssuer(ApiKeyStore store, ApiKeySecrets secrets, KeyRegistry registry) {
    this.store = store;
    this.secrets = secrets;
    this.registry = registry;
  }

  public record Issued(long keyId, String secret, ApiKeyPrincipal principal) {
    @Override
    public String toString() {
      return "Issued[keyId=" + keyId + ", principal=" + principal + "]"; // never the secret
    }
  }

  /** Blocking (writes the database). */
  public Issued issue(long userId, long tenantId, String name, Set<String> allowedModels, int rpm, int tpm,
                      Instant expiresAt) {
    return issue(new ApiKeyStore.NewKey(userId, tenantId, null, null, name, null, allowedModels, "", rpm, tpm,
        expiresAt));
  }

  /** Blocking. {@code spec.hash} and {@code spec.displayPrefix} are ignored: they are made here. */
  public Issued issue(ApiKeyStore.NewKey spec) {
    String key = ApiKeySecrets.newKey();
    String hash = secrets.hash(key);
    String display = ApiKeySecrets.displayPrefix(key);
    long id = store.insert(new ApiKeyStore.NewKey(spec.userId(), spec.tenantId(), hash, display, spec.name(),
        spec.description(), spec.allowedModels(), spec.allowedIps() == null ? "" : spec.allowedIps(), spec.rpm(),
        spec.tpm(), spec.expiresAt()));
    ApiKeyPrincipal p = store.findByHash(hash).orElseThrow().principal();
    registry.put(hash, p);
    return new Issued(id, key, p);
  }

  /** Gives an active key a new secret; the old one stops working at once. Null when the key is not active. */
  public Issued rotate(long keyId, String oldHash) {
    String key = ApiKeySecrets.newKey();
    String hash = secrets.hash(key);
    String display = ApiKeySecrets.displayPrefix(key);
    if (!store.replaceSecret(keyId, oldHash, hash, display)) return null;
    registry.forget(oldHash);
    ApiKeyPrincipal p = store.findByHash(hash).orElseThrow().principal();
    registry.put(hash, p);
    return new Issued(keyId, key, p);
  }

  /** Revokes a key; it stops working at once. */
  public boolean revoke(long keyId, String hash) {
    boolean done = store.revoke(keyId);
    registry.forget(hash);
    return done;
  }
}
