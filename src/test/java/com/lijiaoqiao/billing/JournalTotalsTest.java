package com.lijiaoqiao.billing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The journal's totals outlive compaction, restarts and a crash in the middle of a compaction. */
class JournalTotalsTest {
  static Settlement settlement(String id, long cost) {
    return new Settlement(id, 1, 1, 1, "m", "p", 1, 1, 0, 0, false, cost, cost, System.currentTimeMillis());
  }

  @Test
  void compactionAndRestartsKeepEverySettlementCounted() throws Exception {
    Path dir = Files.createTempDirectory("ljq-totals");
    try (SettlementJournal j = new SettlementJournal(dir, 100)) {
      long end = 0;
      for (int i = 0; i < 5; i++) end = j.append(settlement("a" + i, 10 + i));
      j.checkpoint(end); // everything shipped and the file is past 100 bytes: it starts over
      assertThat(Files.size(dir.resolve("settlements.journal"))).isZero();
      j.append(settlement("b", 100));
      SettlementJournal.Figures f = j.figures();
      assertThat(f.journaledCount()).isEqualTo(6);
      assertThat(f.journaledMicros()).isEqualTo(10 + 11 + 12 + 13 + 14 + 100);
      assertThat(f.retained()).extracting(c -> c.settlement().requestId()).containsExactly("b");
      assertThat(f.retained().get(0).shipped()).isFalse();
    }
    try (SettlementJournal j = new SettlementJournal(dir, 100)) {
      SettlementJournal.Figures f = j.figures();
      assertThat(f.journaledCount()).isEqualTo(6);
      assertThat(f.uncleanStops()).isEmpty(); // the first run closed cleanly
    }
  }

  @Test
  void aCrashBetweenCountingAndCuttingCountsOnceAndARunThatNeverClosedIsAWindow() throws Exception {
    Path dir = Files.createTempDirectory("ljq-totals");
    SettlementJournal crashed = new SettlementJournal(dir, 1 << 20);
    long end = 0;
    for (int i = 0; i < 3; i++) end = crashed.append(settlement("c" + i, 7));
    // As if the process died right after the totals counted the file, before it was cut: never closed.
    JournalTotals t = JournalTotals.open(dir, 0);
    t.compacting(3, 21, end);
    try (SettlementJournal j = new SettlementJournal(dir, 1 << 20)) {
      SettlementJournal.Figures f = j.figures();
      assertThat(f.journaledCount()).isEqualTo(3);
      assertThat(f.journaledMicros()).isEqualTo(21);
      assertThat(f.retained()).isEmpty();
      assertThat(f.uncleanStops()).hasSize(1);
    }
  }
}
