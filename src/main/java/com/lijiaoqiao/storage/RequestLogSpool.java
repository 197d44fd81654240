package com.lijiaoqiao.storage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local spool of request-log files: each batch is written here first (atomically: a temporary name, then a
 * rename), uploaded to {@code request-logs/tenant={id}/date=YYYY-MM-DD/{file}}, and deleted only after the store
 * accepted it. A store that is down leaves the files here; they go at the next round or the next start.
 */
public final class RequestLogSpool {
  private static final Logger log = LoggerFactory.getLogger(RequestLogSpool.class);
  static final String ROOT = "request-logs/";
  /** Between the partition and the file name in a spool file's name ('/' cannot be part of a file name). */
  private static final String SEP = "~";

  private final Path dir;
  private final String nodeId;
  private final StorageMetrics metrics;
  private final AtomicLong seq = new AtomicLong();

  public RequestLogSpool(Path dir, String nodeId, StorageMetrics metrics) {
    this.dir = dir;
    this.nodeId = nodeId.replaceAll("[^A-Za-z0-9\\-]", "");
    this.metrics = metrics;
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the request-log spool " + dir, e);
    }
  }

  /** Writes one gzip JSON-lines file for {@code partition} ("tenant=7/date=2026-01-02"). */
  void write(String partition, List<Map<String, Object>> lines) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
        for (Map<String, Object> l : lines) {
          gz.write(ArchiveFiles.JSON.writeValueAsBytes(l));
          gz.write('\n');
        }
      }
      String name = partition.replace("/", SEP) + SEP + System.currentTimeMillis() + "-" + nodeId + "-"
          + seq.incrementAndGet() + ".jsonl.gz";
      Path tmp = dir.resolve(name + ".tmp");
      Files.write(tmp, bytes.toByteArray());
      Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Files waiting for upload. */
  public int pending() {
    return files().size();
  }

  private List<Path> files() {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".jsonl.gz")).sorted().toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  /**
   * Uploads every waiting file, oldest first; stops at the first failure (the store is down: the rest waits too).
   * Returns the number uploaded; throws {@link ObjectStore.StoreUnavailable} when one failed.
   */
  public synchronized int upload(ObjectStore store) {
    int n = 0;
    for (Path f : files()) {
      String name = f.getFileName().toString();
      String key = ROOT + name.replace(SEP, "/");
      try {
        store.put(key, Files.readAllBytes(f), "application/gzip");
      } catch (RuntimeException e) {
        metrics.logUploadFailed();
        throw e;
      } catch (IOException e) {
        log.warn("unreadable request-log spool file {}: {}", name, e.toString());
        continue;
      }
      try {
        Files.delete(f);
      } catch (IOException e) {
        log.warn("uploaded {} but could not delete it from the spool: {}", name, e.toString());
      }
      metrics.logUploaded();
      n++;
    }
    return n;
  }

  /** Deletes a tenant's stored logs of days older than its retention; returns the objects deleted. */
  public static int expire(ObjectStore store, long tenantId, int retentionDays, LocalDate today) {
    LocalDate keepFrom = today.minusDays(Math.max(1, retentionDays));
    String prefix = ROOT + "tenant=" + tenantId + "/date=";
    List<String> old = new ArrayList<>();
    for (ObjectStore.Listed o : store.list(prefix, 100_000)) {
      String rest = o.key().substring(prefix.length());
      int slash = rest.indexOf('/');
      if (slash < 0) continue;
      try {
        if (LocalDate.parse(rest.substring(0, slash)).isBefore(keepFrom)) old.add(o.key());
      } catch (java.time.format.DateTimeParseException notOurs) {
        // something else under the prefix: left alone
      }
    }
    store.delete(old);
    return old.size();
  }
}
