package com.lijiaoqiao.access;

import java.util.List;
import java.util.Optional;

/** Persistence the key registry needs; implemented in {@code store}. Blocking: call off the event loop. */
public interface ApiKeyStore {
  record StoredKey(String hash, ApiKeyPrincipal principal) {}

  /** A key to store: only its hash and display prefix, never the secret. */
  record NewKey(long userId, long tenantId, String hash, String displayPrefix, String name,
                java.util.Set<String> allowedModels, int rpm, int tpm, java.time.Instant expiresAt) {}

  long insert(NewKey key);

  List<StoredKey> loadActive();

  Optional<StoredKey> findByHash(String hash);
}
