package com.lijiaoqiao.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.lijiaoqiao.pipeline.FailurePolicy.Kind;
import org.junit.jupiter.api.Test;

/** Whose fault a failed attempt is, and what the request does next: pure rules. */
class FailurePolicyTest {
  @Test
  void theRequestsOwnFaultsNeverCountAgainstTheProvider() {
    for (int status : new int[] {400, 404, 409, 413, 415, 422}) {
      assertThat(FailurePolicy.ofStatus(status, null).providerFault()).as("HTTP %d", status).isFalse();
    }
    assertThat(FailurePolicy.ofStatus(400, "context_length_exceeded").kind()).isEqualTo(Kind.FATAL);
    assertThat(FailurePolicy.ofStatus(400, "content_policy_violation").providerFault()).isFalse();
    assertThat(FailurePolicy.REFUSED.providerFault()).isFalse();
  }

  @Test
  void aModelThatOneProviderLacksIsTriedElsewhere() {
    assertThat(FailurePolicy.ofStatus(404, "model_not_found").kind()).isEqualTo(Kind.NEXT);
    assertThat(FailurePolicy.REFUSED.kind()).isEqualTo(Kind.NEXT);
  }

  @Test
  void theProvidersOwnFaultsCount() {
    for (int status : new int[] {401, 403, 408, 429, 500, 501, 502, 503, 504, 529}) {
      assertThat(FailurePolicy.ofStatus(status, null).providerFault()).as("HTTP %d", status).isTrue();
    }
    assertThat(FailurePolicy.ofStatus(503, null).kind()).isEqualTo(Kind.RETRY);
    assertThat(FailurePolicy.ofStatus(401, null).kind()).isEqualTo(Kind.NEXT);
    assertThat(FailurePolicy.ofStatus(429, "insufficient_quota").kind()).isEqualTo(Kind.NEXT);
    assertThat(FailurePolicy.TRANSIENT.providerFault()).isTrue();
    assertThat(FailurePolicy.BROKEN.providerFault()).isTrue();
  }

  @Test
  void aShortRetryAfterIsWaitedOutOnTheSameProviderALongOneFallsOver() {
    long max = 2_000;
    // within routing.retry_after_max_wait_ms: the primary is waited for, even with a fallback at hand
    assertThat(FailurePolicy.afterRetryable(2, max, true, true, 10_000, 100)).isEqualTo(new FailurePolicy.WaitSame(2_000));
    assertThat(FailurePolicy.afterRetryable(0, max, true, true, 10_000, 100)).isEqualTo(new FailurePolicy.WaitSame(1));
    // longer: another provider answers now; with none, it is waited for if the deadline allows
    assertThat(FailurePolicy.afterRetryable(3, max, true, true, 10_000, 100)).isInstanceOf(FailurePolicy.TryNext.class);
    assertThat(FailurePolicy.afterRetryable(3, max, true, false, 10_000, 100)).isEqualTo(new FailurePolicy.WaitSame(3_000));
    assertThat(FailurePolicy.afterRetryable(20, max, true, false, 10_000, 100)).isInstanceOf(FailurePolicy.GiveUp.class);
    // no attempts left on it, or no time: never a wait
    assertThat(FailurePolicy.afterRetryable(2, max, false, true, 10_000, 100)).isInstanceOf(FailurePolicy.TryNext.class);
    assertThat(FailurePolicy.afterRetryable(2, max, false, false, 10_000, 100)).isInstanceOf(FailurePolicy.GiveUp.class);
    assertThat(FailurePolicy.afterRetryable(2, max, true, true, 1_500, 100)).isInstanceOf(FailurePolicy.TryNext.class);
    assertThat(FailurePolicy.afterRetryable(2, 0, true, true, 10_000, 100)).isInstanceOf(FailurePolicy.TryNext.class);
  }

  @Test
  void withoutRetryAfterItBacksOffOnTheSameProviderWhileAttemptsAndTimeRemain() {
    assertThat(FailurePolicy.afterRetryable(null, 2_000, true, true, 10_000, 100)).isEqualTo(new FailurePolicy.WaitSame(100));
    assertThat(FailurePolicy.afterRetryable(null, 2_000, false, true, 10_000, 100)).isInstanceOf(FailurePolicy.TryNext.class);
    assertThat(FailurePolicy.afterRetryable(null, 2_000, true, true, 50, 100)).isInstanceOf(FailurePolicy.TryNext.class);
    assertThat(FailurePolicy.afterRetryable(null, 2_000, false, false, 10_000, 100)).isInstanceOf(FailurePolicy.GiveUp.class);
  }
}
