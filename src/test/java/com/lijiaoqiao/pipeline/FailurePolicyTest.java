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
  void aRetryAfterFallsOverWhenAnotherProviderCanAnswerElseWaitsIfThereIsTime() {
    assertThat(FailurePolicy.afterRetryable(2, true, true, 10_000, 100)).isInstanceOf(FailurePolicy.TryNext.class);
    assertThat(FailurePolicy.afterRetryable(2, true, false, 10_000, 100)).isEqualTo(new FailurePolicy.WaitSame(2_000));
    assertThat(FailurePolicy.afterRetryable(20, true, false, 10_000, 100)).isInstanceOf(FailurePolicy.GiveUp.class);
    assertThat(FailurePolicy.afterRetryable(2, false, false, 10_000, 100)).isInstanceOf(FailurePolicy.GiveUp.class);
  }

  @Test
  void withoutRetryAfterItBacksOffOnTheSameProviderWhileAttemptsAndTimeRemain() {
    assertThat(FailurePolicy.afterRetryable(null, true, true, 10_000, 100)).isEqualTo(new FailurePolicy.WaitSame(100));
    assertThat(FailurePolicy.afterRetryable(null, false, true, 10_000, 100)).isInstanceOf(FailurePolicy.TryNext.class);
    assertThat(FailurePolicy.afterRetryable(null, true, true, 50, 100)).isInstanceOf(FailurePolicy.TryNext.class);
    assertThat(FailurePolicy.afterRetryable(null, false, false, 10_000, 100)).isInstanceOf(FailurePolicy.GiveUp.class);
  }
}
