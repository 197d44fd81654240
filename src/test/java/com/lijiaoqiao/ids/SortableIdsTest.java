package com.lijiaoqiao.ids;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SortableIdsTest {
  @Test
  void idsSortByTheirMillisecondAsStringsAndCarryTheirRandomPart() {
    List<String> ids = new ArrayList<>();
    long t = 1_700_000_000_000L;
    for (int i = 0; i < 2000; i++) ids.add(SortableIds.next("req_", 18, t + i * 997L));
    for (int i = 1; i < ids.size(); i++) {
      // plain String order (what H2 and a C-collated index use): a later millisecond sorts after an earlier one
      assertThat(ids.get(i).substring(0, 12)).isGreaterThan(ids.get(i - 1).substring(0, 12));
      assertThat(ids.get(i)).isGreaterThan(ids.get(i - 1));
    }
    assertThat(ids.get(0)).hasSize(SortableIds.length("req_", 18)).hasSize(36).matches("req_[A-Za-z0-9_-]{32}");
  }

  @Test
  void idsOfOneMillisecondAreStillUnique() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 100_000; i++) assertThat(seen.add(SortableIds.next("evt_", 15, 42L))).isTrue();
  }

  @Test
  void theClockPartCoversTheFullRangeOfMillisecondsWithoutWrapping() {
    String early = SortableIds.next("x", 3, 0L);
    String late = SortableIds.next("x", 3, (1L << 48) - 1);
    assertThat(early.substring(0, 9)).isEqualTo("x--------");
    assertThat(late.substring(0, 9)).isEqualTo("xzzzzzzzz");
  }

  @Test
  void randomLengthsThatAreNotWholeCharactersAreRefused() {
    assertThatThrownBy(() -> SortableIds.next("x", 4)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void randomBytesNeverRepeatAcrossBlocks() {
    java.util.Set<String> seen = new java.util.HashSet<>();
    byte[] b = new byte[1_000]; // not a divisor of the block: reads span blocks
    for (int i = 0; i < 200; i++) {
      SortableIds.nextBytes(b);
      org.junit.jupiter.api.Assertions.assertTrue(seen.add(java.util.HexFormat.of().formatHex(b, 0, 16)));
    }
    int ones = 0;
    for (byte x : b) ones += Integer.bitCount(x & 0xff);
    org.junit.jupiter.api.Assertions.assertTrue(ones > 3_600 && ones < 4_400, "bits set: " + ones);
  }
}
