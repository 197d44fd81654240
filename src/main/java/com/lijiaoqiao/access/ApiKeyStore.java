package com.lijiaoqiao.access;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Persistence the key registry needs; implemented in {@code store}. Blocking: call off the event loop. */
public interface ApiKeyStore {
  record StoredKey(String hash, ApiKeyPrincipal principal) {}

  /** A key to store: only its hash and display prefix, never the secret. */
  record NewKey(long userId, long tenantId, String hash, String displayPrefix, String name, String description,
                Set<String> allowedModels, String allowedIps, int rpm, int tpm, Instant expiresAt) {
    public NewKey(long userId, long tenantId, String hash, String displayPrefix, String name,
                  Set<String> allowedModels, int rpm, int tpm, Instant expiresAt) {
      this(userId, tenantId, hash, displayPrefix, name, null, allowedModels, "", rpm, tpm, expiresAt);
    }
  }

  long insert(NewKey key);

  List<StoredKey> loadActive();

  Optional<StoredKey> findByHash(String hash);

  /**
   * Keys changed since an instant, their own row or their user's (any status: a revoked or rotated key must
   * reach the other gateway nodes too).
   */
  List<StoredKey> findChangedSince(java.time.Instant since);

  /** Every key of a user that is not revoked (to refresh the registry after the user changes). */
  List<StoredKey> findByUser(long userId);

  /** Replaces a key's secret (rotation); false when the key is gone or not active. */
  boolean replaceSecret(long keyId, String oldHash, String newHash, String newDisplayPrefix);

  /** Marks a key revoked; false when it was not active. */
  boolean revoke(long keyId);

  /** Writes last-used times (key id → epoch millis), in one batch. */
  void updateLastUsed(Map<Long, Long> lastUsed);
}
