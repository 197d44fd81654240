package com.lijiaoqiao.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class IpAllowListTest {
  @Test
  void matchesAddressesAndRanges() {
    IpAllowList l = IpAllowList.parse("10.0.0.0/8, 192.168.1.7, 2001:db8::/32");
    assertThat(l.permits("10.20.30.40")).isTrue();
    assertThat(l.permits("11.0.0.1")).isFalse();
    assertThat(l.permits("192.168.1.7")).isTrue();
    assertThat(l.permits("192.168.1.8")).isFalse();
    assertThat(l.permits("2001:db8::1")).isTrue();
    assertThat(l.permits("2001:db9::1")).isFalse();
    assertThat(l.permits("::ffff:10.1.1.1")).isTrue();
    assertThat(l.permits(null)).isFalse();
    assertThat(l.permits("example.com")).isFalse();
    assertThat(IpAllowList.parse("172.16.0.0/12").permits("172.31.255.255")).isTrue();
    assertThat(IpAllowList.parse("172.16.0.0/12").permits("172.32.0.0")).isFalse();
  }

  @Test
  void blankMeansAnyAndJunkIsRefused() {
    assertThat(IpAllowList.parse("").permits("1.2.3.4")).isTrue();
    assertThat(IpAllowList.parse(null).any()).isTrue();
    assertThatThrownBy(() -> IpAllowList.parse("10.0.0.0/33")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> IpAllowList.parse("localhost")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> IpAllowList.parse("1.2.3")).isInstanceOf(IllegalArgumentException.class);
  }
}
