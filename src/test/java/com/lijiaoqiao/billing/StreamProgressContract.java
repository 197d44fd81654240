package com.lijiaoqiao.billing;

import static org.assertj.core.api.Assertions.assertThat;

import com.lijiaoqiao.store.LedgerRepository;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.TestGateway;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 10 at the journal: a settlement's usage record lands with its billing record; a stream's progress entries
 * are charged only when it never settled (the last one, once), survive checkpoints and compaction, and are
 * superseded by the stream's own settlement. A "crash" here is closing the journal without shipping.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
abstract class StreamProgressContract {
  TestGateway gw;
  LedgerRepository store;

  abstract Databases.Kind database();

  @BeforeAll
  void start() {
    gw = TestGateway.start(database());
    store = new LedgerRepository(gw.gateway.database().dataSource(), gw.gateway.database().isPostgres());
  }

  @AfterAll
  void stop() {
    if (gw != null) gw.close();
  }

  static String id() {
    return "t-" + UUID.randomUUID();
  }

  Settlement settlement(String requestId, long completion, long cost, boolean progress, String outcome) {
    return new Settlement(requestId, gw.tenantId, gw.userId, 1, "gpt-4o-mini", "simulator", 12, completion, 0, 0,
        true, 5_000, cost, System.currentTimeMillis(), progress,
        new UsageFacts("chat_completions", "gpt-4o-mini", "gpt-4o-mini", true, 1500, 40, 200, outcome, null));
  }

  /** billing_records count and sum, and usage_records count and sum, of one request. */
  long[] records(String requestId) throws Exception {
    try (var c = gw.gateway.database().dataSource().getConnection();
         var b = c.prepareStatement("SELECT COUNT(*), COALESCE(SUM(amount_micros), 0) FROM billing_records WHERE request_id = ?");
         var u = c.prepareStatement("SELECT COUNT(*), COALESCE(SUM(cost_micros), 0), MAX(outcome) FROM usage_records WHERE request_id = ?")) {
      b.setString(1, requestId);
      u.setString(1, requestId);
      try (var br = b.executeQuery(); var ur = u.executeQuery()) {
        br.next();
        ur.next();
        return new long[] {br.getLong(1), br.getLong(2), ur.getLong(1), ur.getLong(2)};
      }
    }
  }

  String usageOutcome(String requestId) throws Exception {
    try (var c = gw.gateway.database().dataSource().getConnection();
         var u = c.prepareStatement("SELECT outcome FROM usage_records WHERE request_id = ?")) {
      u.setString(1, requestId);
      try (var rs = u.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  @Test
  void theUsageRecordLandsInTheLedgersTransactionWithTheBillingRecord() throws Exception {
    String id = id();
    store.applySettlements(List.of(settlement(id, 30, 777, false, "ok")), List.of());
    store.applySettlements(List.of(settlement(id, 30, 777, false, "ok")), List.of()); // a replay
    assertThat(records(id)).containsExactly(1, 777, 1, 777);
    assertThat(usageOutcome(id)).isEqualTo("ok");
  }

  @Test
  void aStreamCutByACrashIsChargedItsLastProgressOnceEvenPastACheckpoint() throws Exception {
    Path dir = Files.createTempDirectory("ljq-progress");
    String stream = id();
    String other = id();
    try (SettlementJournal journal = new SettlementJournal(dir)) {
      journal.appendProgress(settlement(stream, 10, 100, true, "interrupted"));
      journal.appendProgress(settlement(stream, 25, 250, true, "interrupted"));
      // Another request settles and ships meanwhile: the checkpoint must not pass the open stream's progress.
      Settlement s = settlement(other, 5, 40, false, "ok");
      long after = journal.append(s);
      store.applySettlements(List.of(s), List.of());
      journal.checkpoint(after);
      assertThat(journal.openStreams()).isEqualTo(1);
    } // kill -9: the stream never settles

    try (SettlementJournal restarted = new SettlementJournal(dir)) {
      assertThat(restarted.replayInto(store).shipped()).isEqualTo(2);
    }
    try (SettlementJournal again = new SettlementJournal(dir)) {
      assertThat(again.replayInto(store).shipped()).isZero();
    }
    assertThat(records(stream)).containsExactly(1, 250, 1, 250);
    assertThat(usageOutcome(stream)).isEqualTo("interrupted");
    assertThat(records(other)).containsExactly(1, 40, 1, 40);
  }

  @Test
  void aStreamThatSettledIsChargedItsSettlementNotItsProgress() throws Exception {
    Path dir = Files.createTempDirectory("ljq-progress");
    String stream = id();
    try (SettlementJournal journal = new SettlementJournal(dir)) {
      journal.appendProgress(settlement(stream, 10, 100, true, "interrupted"));
      journal.append(settlement(stream, 40, 400, false, "ok"));
      assertThat(journal.openStreams()).isZero();
    } // killed before shipping
    try (SettlementJournal restarted = new SettlementJournal(dir)) {
      restarted.replayInto(store);
    }
    assertThat(records(stream)).containsExactly(1, 400, 1, 400);
    assertThat(usageOutcome(stream)).isEqualTo("ok");
  }

  @Test
  void progressOfAStreamThatSettledAndShippedIsNeverChargedAgain() throws Exception {
    Path dir = Files.createTempDirectory("ljq-progress");
    String stream = id();
    try (SettlementJournal journal = new SettlementJournal(dir)) {
      journal.appendProgress(settlement(stream, 10, 100, true, "interrupted"));
      Settlement fin = settlement(stream, 40, 400, false, "ok");
      journal.append(fin);
      store.applySettlements(List.of(fin), List.of());
      // killed before the checkpoint moved: the replay sees the progress and the settlement again
    }
    try (SettlementJournal restarted = new SettlementJournal(dir)) {
      restarted.replayInto(store);
    }
    assertThat(records(stream)).containsExactly(1, 400, 1, 400);
  }

  @Test
  void compactionKeepsTheProgressOfStreamsInFlight() throws Exception {
    Path dir = Files.createTempDirectory("ljq-progress");
    String stream = id();
    try (SettlementJournal journal = new SettlementJournal(dir, 2_000)) {
      journal.appendProgress(settlement(stream, 10, 100, true, "interrupted"));
      long after = 0;
      for (int i = 0; i < 10; i++) {
        Settlement s = settlement(id(), 1, 1, false, "ok");
        after = journal.append(s);
        store.applySettlements(List.of(s), List.of());
      }
      journal.appendProgress(settlement(stream, 20, 200, true, "interrupted"));
      long before = journal.end();
      journal.checkpoint(journal.end()); // everything settled is shipped: the file starts over
      assertThat(journal.end()).isLessThan(before).isLessThan(1_000);
      assertThat(after).isPositive();
      assertThat(journal.unshipped()).extracting(Settlement::requestId, Settlement::costMicros)
          .containsExactly(org.assertj.core.groups.Tuple.tuple(stream, 200L));
    }
    try (SettlementJournal restarted = new SettlementJournal(dir)) {
      assertThat(restarted.replayInto(store).shipped()).isEqualTo(1);
    }
    assertThat(records(stream)).containsExactly(1, 200, 1, 200);
  }
}
