package com.lijiaoqiao.storage;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/** Object storage in Prometheus (docs/metrics.md): uploads, failures, request logs kept and dropped. */
public final class StorageMetrics {
  private final MeterRegistry registry;
  private final Counter archivedWindows;
  private final Counter archiveFailures;
  private final Counter prunedRows;
  private final Counter logRecords;
  private final Counter logDropped;
  private final Counter logUploadFailures;
  private final Counter logFiles;
  /** Milliseconds since the epoch of the last failed call to the store; 0 = none since start. */
  private final AtomicLong lastFailureMs = new AtomicLong();

  public StorageMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.archivedWindows = Counter.builder("ljq_storage_archive_windows_total")
        .description("Archive windows (kind x day) uploaded and verified by this node").register(registry);
    this.archiveFailures = Counter.builder("ljq_storage_archive_failures_total")
        .description("Archive uploads that failed and will be retried").register(registry);
    this.prunedRows = Counter.builder("ljq_storage_pruned_rows_total")
        .description("Database rows deleted by retention after their window was verified").register(registry);
    this.logRecords = Counter.builder("ljq_request_logs_records_total")
        .description("Request-log records accepted into the queue").register(registry);
    this.logDropped = Counter.builder("ljq_request_logs_dropped_total")
        .description("Request-log records dropped because the queue was full").register(registry);
    this.logFiles = Counter.builder("ljq_request_logs_files_uploaded_total")
        .description("Request-log files uploaded").register(registry);
    this.logUploadFailures = Counter.builder("ljq_request_logs_upload_failures_total")
        .description("Request-log uploads that failed (the file stays in the spool)").register(registry);
    Gauge.builder("ljq_storage_last_failure_timestamp_seconds", lastFailureMs, v -> v.get() / 1000.0)
        .description("When a call to the object store last failed (0 = never since start)").register(registry);
  }

  /** Gauges over the request-log queue and spool, read at scrape time. */
  public void logQueue(Supplier<Number> queued, Supplier<Number> spooled) {
    Gauge.builder("ljq_request_logs_queued", () -> queued.get()).description("Request-log records waiting")
        .register(registry);
    Gauge.builder("ljq_request_logs_spooled_files", () -> spooled.get())
        .description("Request-log files in the local spool waiting for upload").register(registry);
  }

  void archived() {
    archivedWindows.increment();
  }

  void archiveFailed() {
    archiveFailures.increment();
    storeFailed();
  }

  void pruned(long rows) {
    prunedRows.increment(rows);
  }

  void logAccepted() {
    logRecords.increment();
  }

  void logDropped() {
    logDropped.increment();
  }

  public double droppedLogs() {
    return logDropped.count();
  }

  void logUploaded() {
    logFiles.increment();
  }

  void logUploadFailed() {
    logUploadFailures.increment();
    storeFailed();
  }

  void storeFailed() {
    lastFailureMs.set(System.currentTimeMillis());
  }

  public double archiveFailures() {
    return archiveFailures.count();
  }

  public double archivedCount() {
    return archivedWindows.count();
  }
}
