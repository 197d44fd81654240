package com.lijiaoqiao.protocol;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Splits a byte stream of server-sent events into whole events as the bytes arrive, whatever the chunking.
 * An event ends at a blank line ("\n\n" or "\r\n\r\n"). It works on bytes — a newline never occurs inside a
 * multi-byte UTF-8 character — so the relay can scan and forward an event without decoding it to text.
 * Not thread-safe: one per stream, on its event loop.
 */
public final class SseEventSplitter {
  private static final byte[] DATA = "data:".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] EVENT = "event:".getBytes(StandardCharsets.US_ASCII);

  /** One event, with its own copy of the bytes (text is decoded only when asked for). */
  public static final class Event {
    private final byte[] buf;
    private final int start;
    private final int end;
    private int dataStart = -1;
    private int dataEnd = -1;
    private int dataLines;
    private int nameStart = -1;
    private int nameEnd = -1;
    private String raw;
    private String data;

    Event(byte[] source, int from, int to) {
      this.buf = Arrays.copyOfRange(source, from, to);
      this.start = 0;
      this.end = buf.length;
      int line = start;
      while (line < end) {
        int nl = indexOf(buf, (byte) '\n', line, end);
        int stop = nl < 0 ? end : nl;
        int lineEnd = stop > line && buf[stop - 1] == '\r' ? stop - 1 : stop;
        if (startsWith(buf, line, lineEnd, DATA)) {
          int v = line + DATA.length;
          if (v < lineEnd && buf[v] == ' ') v++;
          if (dataLines == 0) {
            dataStart = v;
            dataEnd = lineEnd;
          }
          dataLines++;
        } else if (startsWith(buf, line, lineEnd, EVENT)) {
          nameStart = line + EVENT.length;
          nameEnd = lineEnd;
        }
        line = stop + 1;
      }
    }

    /** The event's name ("event:" line, trimmed), or null. */
    public String name() {
      return nameStart < 0 ? null : new String(buf, nameStart, nameEnd - nameStart, StandardCharsets.UTF_8).trim();
    }

    /** The joined "data:" lines, or null when there are none. */
    public String data() {
      if (dataLines == 0) return null;
      if (data == null) {
        if (dataLines == 1) {
          data = new String(buf, dataStart, dataEnd - dataStart, StandardCharsets.UTF_8);
        } else {
          StringBuilder sb = new StringBuilder();
          for (String l : raw().split("\n", -1)) {
            String t = l.endsWith("\r") ? l.substring(0, l.length() - 1) : l;
            if (!t.startsWith("data:")) continue;
            if (!sb.isEmpty()) sb.append('\n');
            sb.append(t.substring(t.length() > 5 && t.charAt(5) == ' ' ? 6 : 5));
          }
          data = sb.toString();
        }
      }
      return data;
    }

    /** The event as it arrived, without its closing blank line. */
    public String raw() {
      if (raw == null) raw = new String(buf, start, end - start, StandardCharsets.UTF_8);
      return raw;
    }

    /** The event as it arrived plus the blank line that ends it, ready to relay as is. */
    public Buffer relayable() {
      return Buffer.buffer(end - start + 2).appendBytes(buf, start, end - start).appendByte((byte) '\n')
          .appendByte((byte) '\n');
    }

    /** True when the event has exactly one "data:" line: then {@link #dataOffset()} is usable without copying. */
    public boolean singleDataLine() {
      return dataLines == 1;
    }

    public byte[] bytes() {
      return buf;
    }

    public int dataOffset() {
      return dataStart;
    }

    public int dataLength() {
      return dataEnd - dataStart;
    }

    /** True when the (single-line) data is exactly {@code ascii}. */
    public boolean dataIs(byte[] ascii) {
      return dataLines == 1 && dataEnd - dataStart == ascii.length
          && Arrays.equals(buf, dataStart, dataEnd, ascii, 0, ascii.length);
    }
  }

  public interface Listener {
    void onEvent(Event event);

    /** An event grew past the splitter's bound without ending: the stream is garbage (nothing is kept). */
    default void onOversizedEvent(int maxBytes) {}
  }

  /** No event a real upstream sends comes near this; an upstream that never ends one cannot grow memory. */
  public static final int MAX_EVENT_BYTES = 4 * 1024 * 1024;

  private final Listener listener;
  private byte[] buf = new byte[1024];
  private int len;
  private int scanFrom;
  private boolean oversized;

  public SseEventSplitter(Listener listener) {
    this.listener = listener;
  }

  public void feed(Buffer buffer) {
    if (oversized) return;
    int n = buffer.length();
    ensure(n);
    buffer.getBytes(0, n, buf, len);
    len += n;
    drain();
    checkPending();
  }

  public void feed(byte[] bytes) {
    if (oversized) return;
    ensure(bytes.length);
    System.arraycopy(bytes, 0, buf, len, bytes.length);
    len += bytes.length;
    drain();
    checkPending();
  }

  /** Text that arrived after the last complete event (non-empty means the stream was cut inside an event). */
  public String remainder() {
    return new String(buf, 0, len, StandardCharsets.UTF_8);
  }

  /** After the complete events were delivered: an unfinished one past the bound ends the stream (told once). */
  private void checkPending() {
    if (len <= MAX_EVENT_BYTES) return;
    oversized = true;
    len = 0;
    scanFrom = 0;
    buf = new byte[0];
    listener.onOversizedEvent(MAX_EVENT_BYTES);
  }

  private void ensure(int more) {
    if (len + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
    }
  }

  private void drain() {
    int from = 0;
    int i = Math.max(0, scanFrom - 3);
    while (i < len - 1) {
      byte c = buf[i];
      int sepLen = 0;
      if (c == '\n' && buf[i + 1] == '\n') {
        sepLen = 2;
      } else if (c == '\r' && i + 3 < len && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
        sepLen = 4;
      }
      if (sepLen == 0) {
        i++;
        continue;
      }
      if (!isBlank(buf, from, i)) {
        listener.onEvent(new Event(buf, from, i));
      }
      from = i + sepLen;
      i = from;
    }
    if (from > 0) {
      System.arraycopy(buf, from, buf, 0, len - from);
      len -= from;
    }
    scanFrom = len;
  }

  private static boolean isBlank(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      byte c = b[i];
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return false;
    }
    return true;
  }

  private static int indexOf(byte[] b, byte c, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] == c) return i;
    }
    return -1;
  }

  private static boolean startsWith(byte[] b, int from, int to, byte[] prefix) {
    if (to - from < prefix.length) return false;
    for (int i = 0; i < prefix.length; i++) {
      if (b[from + i] != prefix[i]) return false;
    }
    return true;
  }
}
