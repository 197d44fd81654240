package com.lijiaoqiao.access;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Platform keys held in memory by hash, so authenticating a request never touches the database. A key
 * this node has not seen (made on another node) is looked up once off the event loop; unknown hashes are
 * remembered briefly so a client hammering with a bad key cannot hammer the database.
 */
public final class KeyRegistry {
  private final ApiKeyStore store;
  private final Vertx vertx;
  private final ConcurrentHashMap<String, ApiKeyPrincipal> byHash = new ConcurrentHashMap<>();
  /** Key id → its current hash, so a key rotated on another node can drop its old hash here. */
  private final ConcurrentHashMap<Long, String> hashById = new ConcurrentHashMap<>();
  private final Cache<String, Boolean> unknown =
      Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(Duration.ofSeconds(30)).build();

  public KeyRegistry(ApiKeyStore store, Vertx vertx) {
    this.store = store;
    this.vertx = vertx;
  }

  /** Loads every active key; blocking, run at start-up. */
  public void loadAll() {
    for (ApiKeyStore.StoredKey k : store.loadActive()) {
      byHash.put(k.hash(), k.principal());
      hashById.put(k.principal().keyId(), k.hash());
    }
  }

  public int size() {
    return byHash.size();
  }

  /** Completes with the key's principal, or with null when no such key exists. */
  public Future<ApiKeyPrincipal> lookup(String hash) {
    ApiKeyPrincipal p = byHash.get(hash);
    if (p != null) {
      return Future.succeededFuture(p);
    }
    if (unknown.getIfPresent(hash) != null) {
      return Future.succeededFuture(null);
    }
    return vertx.executeBlocking(() -> {
      Optional<ApiKeyStore.StoredKey> found = store.findByHash(hash);
      if (found.isPresent()) {
        byHash.put(hash, found.get().principal());
        hashById.put(found.get().principal().keyId(), hash);
        return found.get().principal();
      }
      unknown.put(hash, Boolean.TRUE);
      return null;
    }, false);
  }

  /** Called after a key is created or changed on this node. */
  public void put(String hash, ApiKeyPrincipal principal) {
    unknown.invalidate(hash);
    byHash.put(hash, principal);
    hashById.put(principal.keyId(), hash);
  }

  public void remove(String hash) {
    byHash.remove(hash);
  }

  /** A key that must stop working now (revoked, rotated away): dropped, and remembered as unknown. */
  public void forget(String hash) {
    byHash.remove(hash);
    unknown.put(hash, Boolean.TRUE);
  }

  /** Re-reads one key after it changed on this node (its budgets), keeping its last-used time; blocking. */
  public void refreshKey(String hash) {
    store.findByHash(hash).ifPresent(k -> {
      ApiKeyPrincipal current = byHash.get(hash);
      if (current == null && !"active".equals(k.principal().status())) return;
      byHash.put(hash, current != null ? k.principal().withActivity(current.activity()) : k.principal());
    });
  }

  /** Re-reads every key of a user (disabled, enabled, role changed); blocking. */
  public void refreshUser(long userId) {
    for (ApiKeyStore.StoredKey k : store.findByUser(userId)) {
      unknown.invalidate(k.hash());
      byHash.put(k.hash(), k.principal());
    }
  }

  /**
   * Applies changes made by other gateway nodes (a key created, rotated, revoked or disabled, a user disabled):
   * blocking, called from a background timer. Re-reading an unchanged key is harmless.
   */
  public int syncChangedSince(java.time.Instant since) {
    int n = 0;
    for (ApiKeyStore.StoredKey k : store.findChangedSince(since)) {
      long id = k.principal().keyId();
      String old = hashById.get(id);
      if (old != null && !old.equals(k.hash())) {
        forget(old); // rotated elsewhere: the old secret stops working here too
      }
      ApiKeyPrincipal current = byHash.get(k.hash());
      if (current == null && !"active".equals(k.principal().status())) {
        continue; // never seen here and not usable: a lookup would find it revoked anyway
      }
      unknown.invalidate(k.hash());
      // Keep the last-used time not yet written.
      byHash.put(k.hash(), current != null ? k.principal().withActivity(current.activity()) : k.principal());
      hashById.put(id, k.hash());
      n++;
    }
    return n;
  }

  /** Writes changed last-used times; blocking, called from a background timer. */
  public int flushLastUsed() {
    java.util.Map<Long, Long> dirty = new java.util.HashMap<>();
    for (ApiKeyPrincipal p : byHash.values()) {
      long t = p.activity().takeDirty();
      if (t != 0) dirty.merge(p.keyId(), t, Math::max);
    }
    if (!dirty.isEmpty()) store.updateLastUsed(dirty);
    return dirty.size();
  }
}
