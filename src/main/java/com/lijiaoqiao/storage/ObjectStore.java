package com.lijiaoqiao.storage;

import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * An S3-compatible bucket as the rest of the gateway sees it: keys are relative to the configured prefix. Every call
 * blocks (run it on a worker, never on an event loop) and throws {@link StoreUnavailable} when the store cannot be
 * reached, refuses the credentials or keeps throttling after the client's own retries.
 */
public interface ObjectStore extends AutoCloseable {
  /** One stored object, as listed. */
  record Listed(String key, long size, Instant lastModified) {}

  void put(String key, byte[] bytes, String contentType);

  /** The object's bytes, or null when there is none under {@code key}. */
  byte[] get(String key);

  /** Keys under {@code prefix} (relative, as given to {@link #put}); at most {@code max}. */
  List<Listed> list(String prefix, int max);

  void delete(List<String> keys);

  /** A link anyone holding it may GET the object with, until it expires. Signs locally (no call to the store). */
  URL presignGet(String key, Duration ttl, String downloadName);

  /** The bucket answers with these credentials (readiness). */
  void check();

  @Override
  void close();

  /** The store failed (unreachable, throttled, refused the credentials); the message never holds a secret. */
  final class StoreUnavailable extends RuntimeException {
    public StoreUnavailable(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
