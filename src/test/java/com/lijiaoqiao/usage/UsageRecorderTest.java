package com.lijiaoqiao.usage;

import static org.assertj.core.api.Assertions.assertThat;

import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.TestGateway;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A record the database refuses for good is dropped alone: it never holds back the records queued with it. */
class UsageRecorderTest {
  static UsageRecord record(String id, String model) {
    return new UsageRecord(id, 1, 1, 1, "chat_completions", model, null, null, false, 1, 1, 0, 0, false, 1, null, 200,
        "ok", null, 0, Instant.now());
  }

  @ParameterizedTest
  @EnumSource(Databases.Kind.class)
  void aRecordTheDatabaseRefusesIsDroppedAndTheRestLand(Databases.Kind db) throws Exception {
    try (TestGateway gw = TestGateway.start(db)) {
      var repo = gw.gateway.usage();
      long before = repo.count();
      try (UsageRecorder rec = new UsageRecorder(repo, 100, 50, 20)) {
        rec.record(record("req_good_1", "gpt-4o-mini"));
        rec.record(record("req_bad", "m".repeat(500))); // longer than the column: SQLSTATE 22001 on both
        rec.record(record("req_good_2", "gpt-4o-mini"));
        long until = System.currentTimeMillis() + 10_000;
        while (rec.written() < 2 && System.currentTimeMillis() < until) Thread.sleep(20);
        rec.record(record("req_good_3", "gpt-4o-mini"));
        while (rec.written() < 3 && System.currentTimeMillis() < until) Thread.sleep(20);
        assertThat(rec.written()).isEqualTo(3);
        assertThat(rec.dropped()).isEqualTo(1);
      }
      assertThat(repo.findByRequestId("req_good_1")).hasSize(1);
      assertThat(repo.findByRequestId("req_good_3")).hasSize(1);
      assertThat(repo.findByRequestId("req_bad")).isEmpty();
      assertThat(repo.count()).isEqualTo(before + 3);
    }
  }
}
