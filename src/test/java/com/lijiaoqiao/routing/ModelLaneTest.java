package com.lijiaoqiao.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.lijiaoqiao.routing.CircuitBreaker.State;
import com.lijiaoqiao.routing.ModelLane.Verdict;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A lane's recovery probes: how an answer is judged, what each verdict does to the breaker, one probe at a time. */
class ModelLaneTest {
  final AtomicLong now = new AtomicLong(1_000_000_000L);
  final ModelLane lane = new ModelLane("chat", new CircuitBreaker(5, 20, 10, 0.5, 1_000, now::get), now::get);

  void open() {
    for (int i = 0; i < 5; i++) lane.record(false, true);
    assertThat(lane.breaker.state()).isEqualTo(State.OPEN);
  }

  @Test
  void aProbeIsJudgedLikeAnAttempt() {
    assertThat(ModelLane.verdict(200)).isEqualTo(Verdict.UP);
    assertThat(ModelLane.verdict(204)).isEqualTo(Verdict.UP);
    for (int s : new int[] {0, 401, 403, 408, 429, 500, 502, 503, 504, 529}) {
      assertThat(ModelLane.verdict(s)).as("status %d", s).isEqualTo(Verdict.DOWN);
    }
    for (int s : new int[] {400, 404, 413, 422}) {
      assertThat(ModelLane.verdict(s)).as("status %d: the probe's own fault", s).isEqualTo(Verdict.INCONCLUSIVE);
    }
  }

  @Test
  void onlyOneProbeOfALaneIsOutAtATime() {
    assertThat(lane.beginProbe()).isTrue();
    assertThat(lane.beginProbe()).isFalse();
    lane.probed(503);
    assertThat(lane.beginProbe()).isTrue();
  }

  @Test
  void aPassingProbeClosesAndIsShown() {
    open();
    assertThat(lane.lastProbe()).isNull();
    lane.beginProbe();
    lane.probed(200);
    assertThat(lane.breaker.state()).isEqualTo(State.CLOSED);
    assertThat(lane.lastProbe().verdict()).isEqualTo(Verdict.UP);
    assertThat(lane.lastProbe().status()).isEqualTo(200);
  }

  @Test
  void aFailingProbeKeepsItOpenForAnotherPeriod() {
    open();
    now.addAndGet(900_000_000L);
    lane.beginProbe();
    lane.probed(0);
    now.addAndGet(900_000_000L);
    assertThat(lane.breaker.available()).isFalse();
    assertThat(lane.lastProbe().verdict()).isEqualTo(Verdict.DOWN);
  }

  @Test
  void anInconclusiveProbeLeavesItToTheHalfOpenRequest() {
    open();
    lane.beginProbe();
    lane.probed(400);
    assertThat(lane.breaker.state()).isEqualTo(State.OPEN);
    now.addAndGet(1_000_000_000L);
    assertThat(lane.breaker.acquire()).isEqualTo(CircuitBreaker.Permit.PROBE);
  }

  @Test
  void resetForgetsTheLastProbe() {
    lane.beginProbe();
    lane.probed(503);
    lane.reset();
    assertThat(lane.lastProbe()).isNull();
  }
}
