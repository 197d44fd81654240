package com.lijiaoqiao.http;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One process-wide cap on request-body bytes held while requests are still being read, before the pipeline
 * has them. Bytes count when they arrive (never by a client's Content-Length claim), so a flood of
 * connections that announce large bodies holds nothing, and one that sends them is refused at the cap.
 * Shared by every event loop.
 */
public final class BodyBudget {
  private final long capacity;
  private final AtomicLong held = new AtomicLong();

  public BodyBudget(long capacity) {
    if (capacity <= 0) throw new IllegalArgumentException("capacity must be positive");
    this.capacity = capacity;
  }

  public long capacity() {
    return capacity;
  }

  /** Bytes held right now by requests still being read (for tests and metrics). */
  public long held() {
    return held.get();
  }

  /** A request's share; grows chunk by chunk and is given back once, whichever way the request ends. */
  public Hold open() {
    return new Hold();
  }

  /** Not thread-safe: a request's hold is used only on its connection's event loop. */
  public final class Hold {
    private long bytes;
    private boolean released;

    private Hold() {}

    /** Takes n more bytes, or nothing and false when that would pass the cap (or the hold was released). */
    public boolean grow(int n) {
      if (released) return false;
      long now = held.addAndGet(n);
      if (now > capacity) {
        held.addAndGet(-n);
        return false;
      }
      bytes += n;
      return true;
    }

    /** Gives every byte back; later calls do nothing. */
    public void release() {
      if (released) return;
      released = true;
      held.addAndGet(-bytes);
      bytes = 0;
    }
  }
}
