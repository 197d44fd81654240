package com.lijiaoqiao.billing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The journal's view of streams still in flight: for each, where its latest progress entry starts and that
 * entry's bytes. The checkpoint never passes the oldest of them (a replay must still find it), and compaction
 * writes them again at the start of the emptied file. Guarded by the journal's lock.
 */
final class StreamProgress {
  record Entry(long offset, byte[] line) {}

  private final Map<String, Entry> open = new HashMap<>();

  void record(String requestId, long offset, byte[] line) {
    open.put(requestId, new Entry(offset, line));
  }

  /** The stream's own settlement was journaled (or it will never be): its progress is superseded. */
  void close(String requestId) {
    open.remove(requestId);
  }

  /** How far a checkpoint may go: {@code offset}, held back to the oldest open progress entry. */
  long clamp(long offset) {
    long low = offset;
    for (Entry e : open.values()) low = Math.min(low, e.offset());
    return low;
  }

  boolean isEmpty() {
    return open.isEmpty();
  }

  int size() {
    return open.size();
  }

  /** The latest line of every open stream, for compaction (which then re-records them at their new offsets). */
  Map<String, byte[]> lines() {
    Map<String, byte[]> out = new LinkedHashMap<>();
    open.forEach((id, e) -> out.put(id, e.line()));
    return out;
  }

  /**
   * What a replay ships, from the journal's lines in order: every settlement, and for each stream whose latest
   * progress entry has no settlement after it, that progress as its final charge (the node died mid-stream).
   * The ledger skips a request id it already holds, so a progress entry whose settlement shipped before the
   * checkpoint is never charged twice.
   */
  static List<Settlement> resolve(List<Settlement> lines) {
    List<Settlement> out = new ArrayList<>();
    Map<String, Settlement> interrupted = new LinkedHashMap<>();
    for (Settlement s : lines) {
      if (s.progress()) {
        interrupted.put(s.requestId(), s);
      } else {
        interrupted.remove(s.requestId());
        out.add(s);
      }
    }
    for (Settlement p : interrupted.values()) out.add(p.asFinal());
    return out;
  }
}
