package com.lijiaoqiao.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseEventSplitterTest {
  @Test
  void eventsSurviveAnyChunkingIncludingSplitMultiByteCharacters() {
    String stream = "data: {\"a\":\"桥\"}\n\nevent: ping\ndata: {}\n\n: comment\n\ndata: line1\ndata: line2\r\n\r\ndata: [DONE]\n\n";
    byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
    for (int size = 1; size <= bytes.length; size++) {
      List<SseEventSplitter.Event> events = new ArrayList<>();
      SseEventSplitter s = new SseEventSplitter(events::add);
      for (int i = 0; i < bytes.length; i += size) {
        s.feed(Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + size)));
      }
      assertThat(events).extracting(SseEventSplitter.Event::data)
          .containsExactly("{\"a\":\"桥\"}", "{}", null, "line1\nline2", "[DONE]");
      assertThat(events.get(1).name()).isEqualTo("ping");
      assertThat(s.remainder()).isEmpty();
    }
  }

  @Test
  void anUnfinishedEventStaysInTheRemainder() {
    List<SseEventSplitter.Event> events = new ArrayList<>();
    SseEventSplitter s = new SseEventSplitter(events::add);
    s.feed("data: {\"x\":1}\n\ndata: {\"y\"".getBytes(StandardCharsets.UTF_8));
    assertThat(events).hasSize(1);
    assertThat(s.remainder()).isEqualTo("data: {\"y\"");
  }

  @Test
  void anEventThatNeverEndsCannotGrowMemoryPastTheBound() {
    List<String> events = new java.util.ArrayList<>();
    int[] oversized = {0};
    SseEventSplitter s = new SseEventSplitter(new SseEventSplitter.Listener() {
      @Override
      public void onEvent(SseEventSplitter.Event e) {
        events.add(e.data());
      }

      @Override
      public void onOversizedEvent(int maxBytes) {
        oversized[0]++;
      }
    });
    s.feed("data: ok\n\n".getBytes(StandardCharsets.UTF_8));
    byte[] chunk = "x".repeat(64 * 1024).getBytes(StandardCharsets.UTF_8);
    s.feed("data: ".getBytes(StandardCharsets.UTF_8));
    for (int i = 0; i < 100; i++) s.feed(chunk); // 6.4 MiB, never a blank line
    assertThat(events).containsExactly("ok");
    assertThat(oversized[0]).isEqualTo(1);
    assertThat(s.remainder()).isEmpty();
  }
}
