package com.lijiaoqiao.app;

import com.lijiaoqiao.http.ApiRouter;
import com.lijiaoqiao.http.api.StorageApi;
import com.lijiaoqiao.storage.Archiver;
import com.lijiaoqiao.storage.ObjectStore;
import com.lijiaoqiao.storage.Redactor;
import com.lijiaoqiao.storage.RequestLogSpool;
import com.lijiaoqiao.storage.RequestLogs;
import com.lijiaoqiao.storage.S3ObjectStore;
import com.lijiaoqiao.storage.StorageMetrics;
import com.lijiaoqiao.store.AccountRepository;
import com.lijiaoqiao.store.AuditRepository;
import com.lijiaoqiao.store.BillingQueries;
import com.lijiaoqiao.store.Database;
import com.lijiaoqiao.store.OutboxRepository;
import com.lijiaoqiao.store.StorageRepository;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires object storage (docs/storage.md): the S3 client, the daily archive job (on the node holding its lease), the
 * request-log queue and spool, their back-off when the store fails, the readiness part, and the HTTP routes. With
 * storage.s3 off only the routes exist (files answer 503; request logs cannot be turned on).
 */
final class StorageRoom implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StorageRoom.class);
  private static final String LEASE = "storage-archive";
  private static final long MAX_BACKOFF_MS = 5 * 60_000L;

  final StorageRepository repo;
  final ObjectStore store;
  final StorageMetrics metrics;
  final RequestLogs requestLogs;
  final RequestLogSpool spool;
  private final Vertx vertx;
  private final GatewayConfig.Storage config;
  private final String nodeId;
  private final OutboxRepository leases;
  private final Clock clock;
  private final AtomicBoolean archiving = new AtomicBoolean();
  private volatile boolean closed;
  private long archiveTimer = -1;
  private long uploadTimer = -1;
  private final long settingsTimer;
  private volatile int archiveFailures;
  private volatile int uploadFailures;

  StorageRoom(Vertx vertx, GatewayConfig gc, Database db, MeterRegistry registry, String nodeId, ApiRouter api,
              AuditRepository audit, AccountRepository accounts, String currency, Clock clock) {
    this.vertx = vertx;
    this.config = gc.storage;
    this.nodeId = nodeId;
    this.clock = clock;
    this.leases = new OutboxRepository(db.dataSource());
    this.repo = new StorageRepository(db.dataSource(), db.isPostgres());
    this.metrics = new StorageMetrics(registry != null ? registry
        : new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
    GatewayConfig.S3 s3 = config.s3;
    this.store = s3.enabled ? openStore(s3) : null;
    GatewayConfig.RequestLogs rl = config.requestLogs;
    if (store != null) {
      Path spoolDir = rl.spoolDir == null || rl.spoolDir.isBlank()
          ? Path.of(gc.dataDir).resolve("spool").resolve("request-logs") : Path.of(rl.spoolDir);
      this.spool = new RequestLogSpool(spoolDir, nodeId, metrics);
      this.requestLogs = new RequestLogs(rl.queueCapacity, rl.batchSize, rl.flushIntervalMs,
          Math.max(1_024, rl.maxBodyBytes), new Redactor(rl.redactEmails, rl.redactPhones, rl.redactCardNumbers), spool,
          metrics, clock);
      refreshSettings();
      scheduleUpload(Math.max(100, rl.flushIntervalMs));
      if (config.archive.enabled) scheduleArchive(10_000);
    } else {
      this.spool = null;
      this.requestLogs = null;
    }
    this.settingsTimer = store == null ? -1 : vertx.setPeriodic(5_000, id -> vertx.executeBlocking(() -> {
      refreshSettings();
      return null;
    }, false).onFailure(t -> log.warn("reading request-log settings: {}", t.toString())));
    BillingQueries billing = new BillingQueries(db.dataSource());
    com.lijiaoqiao.supply.SupplyStore supply = gc.supply.enabled
        ? new com.lijiaoqiao.store.SupplyRepository(db.dataSource(), db.isPostgres()) : null;
    new StorageApi(store, Duration.ofSeconds(Math.clamp(s3.presignTtlSeconds, 60, 3600)), clock,
        (tenant, month) -> StatementSources.invoice(billing, currency, tenant, month),
        supply == null ? null : (tenant, month) -> StatementSources.statement(supply, currency, tenant, month),
        new Settings(), accounts::tenantExists, audit).register(api);
  }

  static ObjectStore openStore(GatewayConfig.S3 s3) {
    try {
      return new S3ObjectStore(new S3ObjectStore.Settings(s3.endpoint, s3.region, s3.bucket, s3.prefix, s3.pathStyle,
          s3.accessKeyId, s3.secretAccessKey, s3.serverSideEncryption, s3.kmsKeyId,
          Duration.ofMillis(Math.max(100, s3.timeoutMs)), Math.clamp(s3.maxAttempts, 1, 10)));
    } catch (IllegalArgumentException e) {
      throw new ConfigLoader.ConfigException(e.getMessage());
    }
  }

  private volatile long probedAtMs;
  private volatile RuntimeException probeFailure;

  /**
   * The readiness part (advisory): the bucket answered HEAD with these credentials at the last look, and no upload
   * has failed since. Blocking; runs on the readiness thread.
   */
  com.lijiaoqiao.health.Probe probe() {
    if (store == null) return null;
    return () -> {
      long now = System.currentTimeMillis();
      // HEAD at most every probe_interval_ms (readiness checks every few seconds; stores bill per request), and at
      // every check while uploads fail, so that recovery shows at once.
      if (now - probedAtMs >= config.s3.probeIntervalMs || uploadFailures > 0 || archiveFailures > 0) {
        try {
          store.check();
          probeFailure = null;
        } catch (RuntimeException e) {
          probeFailure = e;
        }
        probedAtMs = now;
      }
      RuntimeException f = probeFailure;
      if (f != null) throw f;
    };
  }

  private void refreshSettings() {
    Map<Long, RequestLogs.Setting> all = new java.util.HashMap<>();
    for (var s : repo.logSettings()) all.put(s.tenantId(), new RequestLogs.Setting(s.enabled(), s.retentionDays()));
    requestLogs.settings(all);
  }

  /** Exponential back-off after consecutive failures, from 2 s up to five minutes. */
  private static long backoff(int failures, long normal) {
    if (failures == 0) return normal;
    return Math.min(MAX_BACKOFF_MS, 2_000L << Math.min(16, failures - 1));
  }

  private void scheduleUpload(long delayMs) {
    if (closed) return;
    uploadTimer = vertx.setTimer(delayMs, id -> vertx.executeBlocking(() -> spool.upload(store), false)
        .onComplete(ar -> {
          if (ar.failed()) {
            uploadFailures++;
            log.warn("uploading request logs: {} (kept in the spool; next try in {} ms)", ar.cause().getMessage(),
                backoff(uploadFailures, 0));
          } else {
            uploadFailures = 0;
          }
          scheduleUpload(backoff(uploadFailures, Math.max(100, config.requestLogs.flushIntervalMs)));
        }));
  }

  private void scheduleArchive(long delayMs) {
    if (closed) return;
    archiveTimer = vertx.setTimer(delayMs, id -> vertx.executeBlocking(this::archiveRound, false).onComplete(ar -> {
      boolean ok = ar.succeeded() && ar.result();
      archiveFailures = ok ? 0 : archiveFailures + 1;
      if (ar.failed()) log.warn("archive round: {}", ar.cause().toString());
      scheduleArchive(backoff(archiveFailures, Math.max(1_000, config.archive.intervalMs)));
    }));
  }

  /**
   * One round on the node holding the lease: archive every finished day in the look-back, prune by retention, and
   * expire request logs past each tenant's retention. True when nothing failed. Blocking.
   */
  boolean archiveRound() {
    if (!archiving.compareAndSet(false, true)) return true;
    try {
      GatewayConfig.Archive ac = config.archive;
      if (!leases.holdLease(LEASE, nodeId, Math.max(ac.intervalMs * 2L, 30 * 60_000L))) return true;
      Archiver archiver = archiver(clock);
      LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
      long failedBefore = failedWindows();
      archiver.archiveDays(today.minusDays(Math.max(1, ac.lookbackDays)), today.minusDays(1),
          Duration.ofMinutes(Math.max(0, ac.graceMinutes)));
      archiver.prune(ac.retentionDays);
      for (var e : requestLogs.settings().entrySet()) {
        RequestLogSpool.expire(store, e.getKey(), e.getValue().retentionDays(), today);
      }
      return failedWindows() <= failedBefore;
    } finally {
      archiving.set(false);
    }
  }

  private long failedWindows() {
    return (long) metrics.archiveFailures();
  }

  Archiver archiver(Clock at) {
    return new Archiver(store, repo, nodeId, config.archive.rowsPerPart, at, metrics);
  }

  /** The request-log switch as the API reads and writes it; the cache follows at once on this node. */
  private final class Settings implements StorageApi.LogSettings {
    @Override
    public Map<String, Object> get(long tenantId) {
      var s = repo.logSetting(tenantId);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("tenant_id", tenantId);
      m.put("enabled", s != null && s.enabled());
      m.put("retention_days", s == null ? config.requestLogs.defaultRetentionDays : s.retentionDays());
      m.put("redaction", Map.of("emails", config.requestLogs.redactEmails, "phones", config.requestLogs.redactPhones,
          "card_numbers", config.requestLogs.redactCardNumbers));
      m.put("storage_configured", store != null);
      return m;
    }

    @Override
    public Map<String, Object> put(long tenantId, Boolean enabled, Integer retentionDays, long byUser) {
      var old = repo.logSetting(tenantId);
      boolean on = enabled != null ? enabled : old != null && old.enabled();
      int days = retentionDays != null ? retentionDays
          : old != null ? old.retentionDays() : config.requestLogs.defaultRetentionDays;
      repo.saveLogSetting(new StorageRepository.LogSetting(tenantId, on, days), byUser);
      if (requestLogs != null) requestLogs.setting(tenantId, new RequestLogs.Setting(on, days));
      return get(tenantId);
    }
  }

  @Override
  public void close() {
    closed = true;
    if (archiveTimer >= 0) vertx.cancelTimer(archiveTimer);
    if (uploadTimer >= 0) vertx.cancelTimer(uploadTimer);
    if (settingsTimer >= 0) vertx.cancelTimer(settingsTimer);
    if (requestLogs != null) {
      requestLogs.close(); // what is queued goes to the spool
      if (uploadFailures == 0) { // a store known to be down would only hold up the shutdown
        try {
          spool.upload(store);
        } catch (RuntimeException e) {
          log.warn("request logs stay in the spool until the next start: {}", e.getMessage());
        }
      }
    }
    if (store != null) store.close();
  }
}
