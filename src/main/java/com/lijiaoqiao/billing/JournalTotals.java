package com.lijiaoqiao.billing;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * What the journal has counted, kept in {@code settlements.totals} so that it outlives compaction (the journal
 * file starts over once everything in it is shipped) and restarts: the settlements compacted away (count, sum),
 * those set aside, the instant counting began, and the runs that ended without a clean close (a kill -9 loses the
 * usage records still queued in memory; reconcile names those windows). Every write replaces the file atomically.
 */
public final class JournalTotals {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** At most this many unclean stops are remembered (the newest). */
  private static final int MAX_WINDOWS = 100;

  /** A run that ended without a clean close: from its start to the next start. */
  public record Window(long fromMillis, long toMillis) {}

  /**
   * The stored state. {@code truncatingBytes} > 0 means a compaction counted that many bytes of the journal file
   * into {@code compacted*} and may not have cut them off yet (a crash in between): the next open finishes it.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record State(long sinceMillis, long compactedCount, long compactedMicros, long asideCount, long asideMicros,
               long truncatingBytes, Long runningSinceMillis, List<Window> uncleanStops) {}

  private final Path file;
  private State state;
  private final boolean created;

  private JournalTotals(Path file, State state, boolean created) {
    this.file = file;
    this.state = state;
    this.created = created;
  }

  /** Reads the totals, or starts them (counting from {@code sinceMillis}) when there are none yet. */
  static JournalTotals open(Path dir, long sinceMillis) {
    Path file = dir.resolve("settlements.totals");
    try {
      if (Files.isRegularFile(file)) {
        State s = JSON.readValue(file.toFile(), State.class);
        if (s.uncleanStops() == null) s = with(s, s.runningSinceMillis(), new ArrayList<>());
        return new JournalTotals(file, s, false);
      }
    } catch (IOException e) {
      // Totals that cannot be read would make reconcile report false figures: refuse, like a corrupt database.
      throw new UncheckedIOException("cannot read " + file + "; restore it or move it away to count anew", e);
    }
    JournalTotals t = new JournalTotals(file, new State(sinceMillis, 0, 0, 0, 0, 0, null, new ArrayList<>()), true);
    t.write();
    return t;
  }

  /** True when this open started the totals (the since instant is now; nothing compacted was counted). */
  boolean created() {
    return created;
  }

  State state() {
    return state;
  }

  /** Notes the start of a run; a previous run still marked running died without a clean close. */
  void started(long nowMillis) {
    List<Window> windows = new ArrayList<>(state.uncleanStops());
    if (state.runningSinceMillis() != null) windows.add(new Window(state.runningSinceMillis(), nowMillis));
    while (windows.size() > MAX_WINDOWS) windows.remove(0);
    state = with(state, nowMillis, windows);
    write();
  }

  void stopped() {
    state = with(state, null, state.uncleanStops());
    write();
  }

  void setAside(long costMicros) {
    State s = state;
    state = new State(s.sinceMillis(), s.compactedCount(), s.compactedMicros(), s.asideCount() + 1,
        s.asideMicros() + costMicros, s.truncatingBytes(), s.runningSinceMillis(), s.uncleanStops());
    write();
  }

  /** Counts the first {@code bytes} of the journal file (holding count settlements, sum micros) as compacted. */
  void compacting(long count, long micros, long bytes) {
    State s = state;
    state = new State(s.sinceMillis(), s.compactedCount() + count, s.compactedMicros() + micros, s.asideCount(),
        s.asideMicros(), bytes, s.runningSinceMillis(), s.uncleanStops());
    write();
  }

  void compacted() {
    State s = state;
    state = new State(s.sinceMillis(), s.compactedCount(), s.compactedMicros(), s.asideCount(), s.asideMicros(), 0,
        s.runningSinceMillis(), s.uncleanStops());
    write();
  }

  private static State with(State s, Long running, List<Window> windows) {
    return new State(s.sinceMillis(), s.compactedCount(), s.compactedMicros(), s.asideCount(), s.asideMicros(),
        s.truncatingBytes(), running, windows);
  }

  private void write() {
    try {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.write(tmp, JSON.writeValueAsBytes(state));
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
