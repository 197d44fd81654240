package com.lijiaoqiao.protocol;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * Splits a byte stream of server-sent events into whole events as the bytes arrive, whatever the chunking.
 * An event ends at a blank line ("\n\n" or "\r\n\r\n"). Not thread-safe: one per stream, on its event loop.
 */
public final class SseEventSplitter {

  /** One event: its name (null when absent), its joined data lines (null when none), and its raw text. */
  public record Event(String name, String data, String raw) {}

  public interface Listener {
    void onEvent(Event event);
  }

  private final Listener listener;
  private final StringBuilder pending = new StringBuilder(256);
  private byte[] carry = new byte[0];

  public SseEventSplitter(Listener listener) {
    this.listener = listener;
  }

  public void feed(Buffer buffer) {
    feed(buffer.getBytes());
  }

  public void feed(byte[] bytes) {
    // Decode only whole UTF-8 sequences; a multi-byte character split across buffers waits in carry.
    byte[] all = bytes;
    if (carry.length > 0) {
      all = new byte[carry.length + bytes.length];
      System.arraycopy(carry, 0, all, 0, carry.length);
      System.arraycopy(bytes, 0, all, carry.length, bytes.length);
    }
    int end = completeUtf8Prefix(all);
    pending.append(new String(all, 0, end, StandardCharsets.UTF_8));
    carry = end == all.length ? new byte[0] : java.util.Arrays.copyOfRange(all, end, all.length);
    drain();
  }

  /** Text that arrived after the last complete event (non-empty means the stream was cut inside an event). */
  public String remainder() {
    return pending.toString();
  }

  private void drain() {
    int from = 0;
    while (true) {
      int sep = indexOfBlankLine(pending, from);
      if (sep < 0) break;
      String raw = pending.substring(from, sep);
      from = sep + (pending.charAt(sep) == '\r' ? 4 : 2);
      if (!raw.isBlank()) {
        listener.onEvent(parse(raw));
      }
    }
    if (from > 0) {
      pending.delete(0, from);
    }
  }

  private static int indexOfBlankLine(CharSequence s, int from) {
    for (int i = from; i < s.length() - 1; i++) {
      char c = s.charAt(i);
      if (c == '\n' && s.charAt(i + 1) == '\n') return i;
      if (c == '\r' && i + 3 < s.length() && s.charAt(i + 1) == '\n' && s.charAt(i + 2) == '\r'
          && s.charAt(i + 3) == '\n') return i;
    }
    return -1;
  }

  static Event parse(String raw) {
    String name = null;
    StringBuilder data = null;
    int start = 0;
    while (start <= raw.length()) {
      int nl = raw.indexOf('\n', start);
      int stop = nl < 0 ? raw.length() : nl;
      String line = raw.substring(start, stop);
      if (line.endsWith("\r")) line = line.substring(0, line.length() - 1);
      if (line.startsWith("data:")) {
        String v = line.substring(line.length() > 5 && line.charAt(5) == ' ' ? 6 : 5);
        if (data == null) data = new StringBuilder(v.length());
        else data.append('\n');
        data.append(v);
      } else if (line.startsWith("event:")) {
        name = line.substring(6).trim();
      }
      if (nl < 0) break;
      start = nl + 1;
    }
    return new Event(name, data == null ? null : data.toString(), raw);
  }

  private static int completeUtf8Prefix(byte[] b) {
    int n = b.length;
    // Look back at most 3 bytes for the start of an unfinished multi-byte sequence.
    for (int i = n - 1; i >= Math.max(0, n - 3); i--) {
      int x = b[i] & 0xFF;
      if ((x & 0xC0) == 0x80) continue; // continuation byte
      int need = x >= 0xF0 ? 4 : x >= 0xE0 ? 3 : x >= 0xC0 ? 2 : 1;
      return (n - i) < need ? i : n;
    }
    return n;
  }
}
