package com.lijiaoqiao.app;

import com.lijiaoqiao.health.HealthEndpoints;
import com.lijiaoqiao.health.Probes;
import com.lijiaoqiao.health.Readiness;
import com.lijiaoqiao.http.OpsRoutes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.IntSupplier;
import javax.sql.DataSource;

/**
 * The health room's wiring: which parts readiness checks on this node (the database, the journal's directory,
 * Redis and Kafka when configured, a loaded model) and the probe paths on the ops routes.
 */
final class HealthRoom implements AutoCloseable {
  final Readiness readiness;

  HealthRoom(GatewayConfig config, OpsRoutes ops, DataSource ds, Path journalDir, io.vertx.redis.client.Redis redis,
             org.apache.kafka.clients.admin.Admin kafka, IntSupplier models, com.lijiaoqiao.health.Probe storage) {
    Duration timeout = Duration.ofMillis(Math.max(100, config.health.checkTimeoutMs));
    this.readiness = new Readiness(timeout)
        .add("database", Probes.database(ds, timeout))
        .add("journal", Probes.journal(journalDir))
        .add("models", Probes.models(models));
    if (redis != null) readiness.add("redis", Probes.redis(redis, timeout));
    if (kafka != null) readiness.add("kafka", Probes.kafka(kafka, timeout));
    if (storage != null) readiness.addAdvisory("object_storage", storage); // archives and logs wait; traffic does not
    readiness.start(Duration.ofMillis(Math.max(100, config.health.checkIntervalMs)));
    HealthEndpoints.register(ops, readiness);
  }

  /** Shutdown has begun: /readyz answers 503 from now on. */
  void drain() {
    readiness.drain();
  }

  @Override
  public void close() {
    readiness.close();
  }
}
