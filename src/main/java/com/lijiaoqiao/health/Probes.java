package com.lijiaoqiao.health;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import javax.sql.DataSource;

/** The readiness parts of a gateway node. Each blocks (on the readiness thread) for at most about its timeout. */
public final class Probes {
  private Probes() {}

  /** {@code SELECT 1} through the pool, with a query timeout. */
  public static Probe database(DataSource ds, Duration timeout) {
    int seconds = (int) Math.max(1, timeout.toSeconds());
    return () -> {
      try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
        st.setQueryTimeout(seconds);
        try (ResultSet rs = st.executeQuery("SELECT 1")) {
          if (!rs.next()) throw new Readiness.Unready("no answer to SELECT 1");
        }
      }
    };
  }

  /** The settlement journal's directory takes a small file (written, synced, deleted). */
  public static Probe journal(Path dir) {
    return () -> {
      Files.createDirectories(dir);
      Path probe = dir.resolve(".readyz-" + ProcessHandle.current().pid());
      try {
        Files.write(probe, new byte[] {'o', 'k'}, java.nio.file.StandardOpenOption.CREATE,
            java.nio.file.StandardOpenOption.TRUNCATE_EXISTING, java.nio.file.StandardOpenOption.WRITE,
            java.nio.file.StandardOpenOption.SYNC);
      } finally {
        Files.deleteIfExists(probe);
      }
    };
  }

  /** PING answered with PONG. */
  public static Probe redis(io.vertx.redis.client.Redis client, Duration timeout) {
    io.vertx.redis.client.RedisAPI api = io.vertx.redis.client.RedisAPI.api(client);
    return () -> {
      var reply = api.ping(java.util.List.of()).toCompletionStage().toCompletableFuture()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (reply == null || !"PONG".equalsIgnoreCase(reply.toString())) throw new Readiness.Unready("no PONG");
    };
  }

  /** The brokers describe their cluster. */
  public static Probe kafka(org.apache.kafka.clients.admin.Admin admin, Duration timeout) {
    return () -> admin.describeCluster(new org.apache.kafka.clients.admin.DescribeClusterOptions()
            .timeoutMs((int) timeout.toMillis()))
        .clusterId().get(timeout.toMillis() + 500, TimeUnit.MILLISECONDS);
  }

  /** At least one model can be routed. */
  public static Probe models(IntSupplier count) {
    return () -> {
      if (count.getAsInt() < 1) throw new Readiness.Unready("no models loaded");
    };
  }
}
