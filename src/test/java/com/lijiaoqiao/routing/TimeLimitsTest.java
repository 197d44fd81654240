package com.lijiaoqiao.routing;

import static com.lijiaoqiao.routing.RoutingFixture.chats;
import static com.lijiaoqiao.routing.RoutingFixture.fault;
import static org.assertj.core.api.Assertions.assertThat;

import com.lijiaoqiao.routing.RoutingFixture.Result;
import com.lijiaoqiao.testing.Databases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Separate limits for separate waits (scaled down from 15 s / 20 s): a stream with a fallback at hand gets
 * first_token_timeout_ms for its first token, while a slow non-stream answer is served within headers_timeout_ms
 * and a stream with nothing to fall over to waits first_byte_timeout_ms.
 */
class TimeLimitsTest {
  static RoutingFixture f;

  @BeforeAll
  static void start() {
    f = new RoutingFixture(Databases.Kind.H2, c -> {
      c.routing.firstByteTimeoutMs = 5_000;
      c.routing.firstTokenTimeoutMs = 1_000;
      c.upstream.idleTimeoutMs = 4_000; // the gap limit bounds a silent wait for headers too
    });
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  @BeforeEach
  void reset() {
    f.reset();
  }

  @Test
  void aSlowFirstTokenFallsOverAtTheStreamLimitWhileASlowWholeAnswerIsServed() {
    fault(f.primary, "ttft=2500");
    Result stream = f.chat("chat", true);
    assertThat(stream.provider()).isEqualTo("fallback");
    assertThat(stream.endsWithDone()).isTrue();
    assertThat(stream.elapsedMs()).isGreaterThanOrEqualTo(1_000).isLessThan(2_500);
    Result whole = f.chat("chat", false);
    assertThat(whole.status()).isEqualTo(200);
    assertThat(whole.provider()).isEqualTo("primary"); // headers after 2.5 s: within headers_timeout_ms (5 s)
    assertThat(whole.elapsedMs()).isGreaterThanOrEqualTo(2_500);
  }

  @Test
  void aStreamWithNothingToFallOverToWaitsTheLongerLimit() {
    fault(f.primary, "ttft=2500");
    Result r = f.chat("solo", true); // solo has one provider
    assertThat(r.provider()).isEqualTo("primary");
    assertThat(r.endsWithDone()).isTrue();
    assertThat(chats(f.fallback)).isZero();
  }
}
