package com.lijiaoqiao.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.lijiaoqiao.store.Database;
import com.lijiaoqiao.store.UsageRepository;
import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.Http;
import com.lijiaoqiao.testing.TestGateway;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What SIGTERM runs: in-flight requests finish, queued usage records reach the database, then it stops. */
class GracefulShutdownTest {
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void shutdownDrainsInFlightStreamsAndFlushesUsage() throws Exception {
    TestGateway gw = TestGateway.start(Databases.Kind.H2, c -> c.usage.flushIntervalMs = 5_000);
    try {
      String body = "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
      String requestId;
      List<String> events;
      try (Http.Stream s = Http.stream(gw.baseUrl() + "/chat/completions", gw.apiKey, body,
          "x-ljq-sim", "chunks=8,gap=150")) {
        requestId = s.headers.firstValue("x-request-id").orElseThrow();
        assertThat(s.nextData()).contains("chat.completion.chunk");
        // Shut down while the stream is still being relayed.
        CompletableFuture<Void> closing = CompletableFuture.runAsync(gw.gateway::close);
        events = s.rest();
        closing.get(30, TimeUnit.SECONDS);
      }
      assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
      try (Database db = Database.open(Database.embeddedUrl(gw.dataDir), "", "", 2)) {
        var records = new UsageRepository(db.dataSource(), false).findByRequestId(requestId);
        assertThat(records).hasSize(1);
        assertThat(records.get(0).outcome()).isEqualTo("ok");
        assertThat(records.get(0).completionTokens()).isPositive();
      }
    } finally {
      gw.close();
    }
  }
}
