package com.lijiaoqiao.storage;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What is archived, one file set per kind and UTC day. Each kind names the amounts its manifest sums, so the same
 * sums can be computed from the database's rows and from the archived files' rows and compared.
 */
public enum ArchiveKind {
  USAGE("usage", List.of("cost_micros", "prompt_tokens", "completion_tokens")),
  BILLING("billing", List.of("amount_micros", "prompt_tokens", "completion_tokens")),
  LEDGER("ledger", List.of("amount_micros")),
  AUDIT("audit", List.of());

  /** Written in every part's header line and every manifest; readers refuse versions they do not know. */
  public static final int SCHEMA_VERSION = 1;

  public final String id;
  public final List<String> summed;

  ArchiveKind(String id, List<String> summed) {
    this.id = id;
    this.summed = summed;
  }

  public static ArchiveKind of(String id) {
    for (ArchiveKind k : values()) if (k.id.equals(id)) return k;
    throw new IllegalArgumentException("unknown archive kind '" + id + "'");
  }

  /** Row count and the sums of {@link #summed} (exact integers), plus, for the ledger, what wallets were charged. */
  public final class Totals {
    private long rows;
    private final Map<String, Long> sums = new LinkedHashMap<>();

    public Totals() {
      for (String s : summed) sums.put(s, 0L);
      if (ArchiveKind.this == LEDGER) sums.put("wallet_charge_micros", 0L);
    }

    public void add(Map<String, Object> row) {
      rows++;
      for (String s : summed) sums.merge(s, number(row.get(s)), Math::addExact);
      if (ArchiveKind.this == LEDGER && "charge".equals(row.get("kind")) && "wallet".equals(row.get("account"))) {
        sums.merge("wallet_charge_micros", -number(row.get("amount_micros")), Math::addExact);
      }
    }

    public void addAll(Totals other) {
      rows += other.rows;
      other.sums.forEach((k, v) -> sums.merge(k, v, Math::addExact));
    }

    public long rows() {
      return rows;
    }

    public Map<String, Long> sums() {
      return Map.copyOf(sums);
    }

    public boolean sameAs(long otherRows, Map<String, Long> otherSums) {
      return rows == otherRows && sums.equals(otherSums);
    }

    @Override
    public String toString() {
      return rows + " rows " + sums;
    }

    private static long number(Object v) {
      return v instanceof Number n ? n.longValue() : 0;
    }
  }

  public Totals totals() {
    return new Totals();
  }
}
