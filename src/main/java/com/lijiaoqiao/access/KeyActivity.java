package com.lijiaoqiao.access;

/** The last time a key was used, kept in memory (one volatile write per request) and flushed in batches. */
public final class KeyActivity {
  private volatile long lastUsedMillis;
  private volatile long flushedMillis;

  public void touch(long nowMillis) {
    lastUsedMillis = nowMillis;
  }

  public long lastUsedMillis() {
    return lastUsedMillis;
  }

  /** The time to write, or 0 when nothing changed since the last flush. */
  long takeDirty() {
    long t = lastUsedMillis;
    if (t == 0 || t == flushedMillis) return 0;
    flushedMillis = t;
    return t;
  }
}
