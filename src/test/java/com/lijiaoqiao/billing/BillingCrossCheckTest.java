package com.lijiaoqiao.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.lijiaoqiao.events.DomainEvent;
import com.lijiaoqiao.events.EventTypes;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The billing consumer's check of billing.settled events against the ledger's billing records. */
class BillingCrossCheckTest {
  final Map<String, Books.Billed> ledger = new HashMap<>();
  final AtomicInteger lookups = new AtomicInteger();
  final Books.Source books = new Books.Source() {
    @Override
    public Books read(long sinceMillis, List<JournalTotals.Window> crashes, int limit) {
      throw new AssertionError("the cross-check looks billing records up by request id only");
    }

    @Override
    public Map<String, Books.Billed> billed(Set<String> requestIds) {
      lookups.incrementAndGet();
      if (requestIds.contains("req-db-down")) throw new IllegalStateException("the database is down");
      Map<String, Books.Billed> out = new HashMap<>();
      requestIds.forEach(id -> {
        if (ledger.containsKey(id)) out.put(id, ledger.get(id));
      });
      return out;
    }
  };

  static DomainEvent settled(String requestId, long tenant, long micros) {
    return DomainEvent.of(EventTypes.BILLING_SETTLED, tenant, Map.of("request_id", requestId, "amount_micros", micros));
  }

  @Test
  void chargesThatMatchTheLedgerPassAndOthersAreCountedOncePerEvent() {
    ledger.put("req-1", new Books.Billed(7, 1_500));
    ledger.put("req-2", new Books.Billed(7, 2_000));
    ledger.put("req-3", new Books.Billed(8, 100));
    BillingCrossCheck check = new BillingCrossCheck(books);
    DomainEvent wrongAmount = settled("req-2", 7, 2_001);
    List<DomainEvent> batch = List.of(settled("req-1", 7, 1_500), wrongAmount, settled("req-3", 9, 100),
        settled("req-missing", 7, 10), DomainEvent.of(EventTypes.LOW_BALANCE, 7L, Map.of("balance", "0.10")));
    check.check(batch);
    assertThat(lookups).hasValue(1); // one lookup for the batch
    assertThat(check.checked()).isEqualTo(4);
    assertThat(check.mismatches()).isEqualTo(3); // amount, tenant, no record
    check.check(List.of(wrongAmount)); // delivered again: still one mismatch
    assertThat(check.mismatches()).isEqualTo(3);
  }

  @Test
  void aLedgerThatCannotBeReadFailsTheBatchSoItComesAgain() {
    BillingCrossCheck check = new BillingCrossCheck(books);
    assertThatThrownBy(() -> check.check(List.of(settled("req-db-down", 1, 1)))).isInstanceOf(IllegalStateException.class);
    assertThat(check.mismatches()).isZero();
  }
}
