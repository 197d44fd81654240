package com.lijiaoqiao.pipeline;

import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;

/**
 * The response body of a request whose tenant keeps request logs, up to a cap. Exists only for such requests, so a
 * tenant with logs off pays nothing. A whole (non-stream) answer is kept by reference, never copied here; a stream's
 * chunks are copied as they are relayed until the cap, then only counted.
 */
public final class BodyCapture {
  private final int cap;
  private byte[] whole;
  private ByteArrayOutputStream chunks;
  private long seen;

  public BodyCapture(int cap) {
    this.cap = Math.max(0, cap);
  }

  /** The whole answer of a non-stream call (its last version wins: fallbacks may write more than once). */
  void whole(byte[] body) {
    whole = body;
    seen = body.length;
  }

  /** A chunk of a stream as relayed to the client. */
  void chunk(Buffer b) {
    seen += b.length();
    if (chunks == null) chunks = new ByteArrayOutputStream(Math.min(cap, 8 * 1024));
    int room = cap - chunks.size();
    if (room <= 0) return;
    byte[] bytes = b.getBytes(0, Math.min(room, b.length()));
    chunks.write(bytes, 0, bytes.length);
  }

  /** What was kept (at most the cap); read after the request ended. */
  public byte[] bytes() {
    if (whole != null) return whole.length <= cap ? whole : java.util.Arrays.copyOf(whole, cap);
    return chunks == null ? new byte[0] : chunks.toByteArray();
  }

  /** The answer was longer than the cap. */
  public boolean truncated() {
    return seen > cap;
  }

  public int cap() {
    return cap;
  }
}
