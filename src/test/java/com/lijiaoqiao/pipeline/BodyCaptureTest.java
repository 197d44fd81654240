package com.lijiaoqiao.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The request log's copy of an answer: a whole body by reference, a stream's chunks up to the cap. */
class BodyCaptureTest {
  @Test
  void aWholeAnswerIsKeptByReferenceUnderTheCapAndCutAboveIt() {
    byte[] body = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
    BodyCapture c = new BodyCapture(1024);
    c.whole(body);
    assertThat(c.bytes()).isSameAs(body);
    assertThat(c.truncated()).isFalse();
    BodyCapture small = new BodyCapture(4);
    small.whole(body);
    assertThat(small.bytes()).hasSize(4);
    assertThat(small.truncated()).isTrue();
  }

  @Test
  void aStreamIsCopiedUntilTheCapThenOnlyCounted() {
    BodyCapture c = new BodyCapture(10);
    c.chunk(Buffer.buffer("data: abc\n\n"));
    c.chunk(Buffer.buffer("data: def\n\n"));
    assertThat(new String(c.bytes(), StandardCharsets.UTF_8)).isEqualTo("data: abc\n");
    assertThat(c.truncated()).isTrue();
  }
}
