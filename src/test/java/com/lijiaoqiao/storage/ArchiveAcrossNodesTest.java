package com.lijiaoqiao.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.S3Server;
import com.lijiaoqiao.testing.TestGateway;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 18: two gateways on one PostgreSQL archive the same days at the same moment; every window is uploaded by
 * exactly one of them (the storage_windows claim), and each manifest is written once.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ArchiveAcrossNodesTest {
  @Test
  void twoNodesNeverUploadTheSameWindowTwice() throws Exception {
    try (S3Server s3 = new S3Server()) {
      TestGateway a = TestGateway.start(Databases.Kind.POSTGRES, c -> {
        s3.configure(c, "nodes");
        c.storage.archive.enabled = false;
      });
      TestGateway b = TestGateway.start(Databases.Kind.POSTGRES, c -> {
        s3.configure(c, "nodes");
        c.storage.archive.enabled = false;
        c.database.url = a.config.database.url; // the same cluster database
      });
      try {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        Map<String, AtomicInteger> manifestPuts = new ConcurrentHashMap<>();
        CyclicBarrier together = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<Integer>> runs = List.of(a, b).stream().map(g -> pool.submit(() -> {
          ObjectStore counting = new ForwardingStore(g.gateway.objectStore()) {
            @Override
            public void put(String key, byte[] bytes, String contentType) {
              if (key.endsWith("manifest.json")) manifestPuts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
              super.put(key, bytes, contentType);
            }
          };
          Archiver archiver = new Archiver(counting, g.gateway.storageRepository(), g.gateway.toString(), 100,
              Clock.offset(Clock.systemUTC(), Duration.ofDays(2)),
              new StorageMetrics(new io.micrometer.core.instrument.simple.SimpleMeterRegistry()));
          together.await();
          return archiver.archiveDays(today.minusDays(4), today, Duration.ZERO);
        })).toList();
        int total = 0;
        for (Future<Integer> f : runs) total += f.get(120, TimeUnit.SECONDS);
        pool.shutdown();
        assertThat(total).isEqualTo(5 * ArchiveKind.values().length);
        assertThat(manifestPuts).hasSize(5 * ArchiveKind.values().length);
        assertThat(manifestPuts.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
        assertThat(a.gateway.storageRepository().windows(List.of("verified"))).hasSize(20)
            .allSatisfy(w -> assertThat(w.attempts()).isEqualTo(1));
      } finally {
        b.close();
        a.close();
      }
    }
  }
}
