package com.lijiaoqiao.billing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.lijiaoqiao.events.DomainEvent;
import com.lijiaoqiao.events.EventSource;
import com.lijiaoqiao.events.EventTypes;
import com.lijiaoqiao.events.Topics;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The billing consumer (seed §7.4, group billing-service): every billing.settled event on llm.billing is checked
 * against the ledger — a billing record of that request, of that tenant, of that amount. A charge that disagrees is
 * counted (once per event id, however often it is delivered) and logged; it never stops the consumer. A ledger that
 * cannot be read fails the batch, which comes again.
 */
public final class BillingCrossCheck {
  public static final String GROUP = "billing-service";
  private static final Logger log = LoggerFactory.getLogger(BillingCrossCheck.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_REMEMBERED = 100_000;
  private final Books.Source books;
  private final AtomicLong checked = new AtomicLong();
  private final Set<String> mismatched = ConcurrentHashMap.newKeySet();

  public BillingCrossCheck(Books.Source books) {
    this.books = books;
  }

  public BillingCrossCheck subscribe(EventSource source) {
    source.subscribeBatch(Topics.BILLING, GROUP, this::check);
    return this;
  }

  /** What a billing.settled event claims: the request, its tenant and amount. */
  record Claim(String eventId, String requestId, Long tenantId, long amountMicros) {}

  /** Checks a batch of events (others than billing.settled are ignored). */
  public void check(List<DomainEvent> batch) {
    Map<String, Claim> byRequest = new HashMap<>();
    for (DomainEvent e : batch) {
      if (!EventTypes.BILLING_SETTLED.equals(e.type())) continue;
      Claim c = claim(e);
      if (c == null) {
        mismatch(e.id(), "event " + e.id() + " has no request id or amount");
      } else {
        byRequest.put(c.requestId(), c);
      }
    }
    if (byRequest.isEmpty()) return;
    Map<String, Books.Billed> found = books.billed(byRequest.keySet());
    for (Claim c : byRequest.values()) {
      Books.Billed b = found.get(c.requestId());
      if (b == null) {
        mismatch(c.eventId(), "request " + c.requestId() + " is charged on llm.billing but has no billing record");
      } else if (b.amountMicros() != c.amountMicros() || (c.tenantId() != null && b.tenantId() != c.tenantId())) {
        mismatch(c.eventId(), "request " + c.requestId() + " is charged " + c.amountMicros() + " micros to tenant "
            + c.tenantId() + " on llm.billing, " + b.amountMicros() + " to tenant " + b.tenantId() + " in the ledger");
      }
      checked.incrementAndGet();
    }
  }

  private static Claim claim(DomainEvent e) {
    try {
      JsonNode p = e.payload() == null ? null : JSON.readTree(e.payload());
      if (p == null || !p.path("request_id").isTextual() || !p.path("amount_micros").canConvertToLong()) return null;
      return new Claim(e.id(), p.get("request_id").asText(), e.tenantId(), p.get("amount_micros").asLong());
    } catch (IOException ex) {
      return null;
    }
  }

  private void mismatch(String eventId, String what) {
    if (mismatched.size() < MAX_REMEMBERED && mismatched.add(eventId)) {
      log.warn("billing cross-check: {}", what);
    }
  }

  /** billing.settled events checked (a redelivered one counts again). */
  public long checked() {
    return checked.get();
  }

  /** Distinct billing.settled events that disagree with the ledger. */
  public long mismatches() {
    return mismatched.size();
  }
}
