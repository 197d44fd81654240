package com.lijiaoqiao.storage;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Archives one window (a kind × a UTC day) exactly once across nodes: claims it in the database, streams its rows into
 * gzip JSON-lines parts, uploads each and reads it back (SHA-256 must match), uploads the manifest and reads that back,
 * and only then marks the window verified. A failure anywhere releases the claim and keeps every row in the database;
 * the next round tries again. Retention deletes usage rows of verified windows only, after checking that the database
 * still holds exactly what the manifest says (rows written late into an archived day send the window round again).
 */
public final class Archiver {
  private static final Logger log = LoggerFactory.getLogger(Archiver.class);
  /** A claim outlives any one part's upload; it is renewed after every part. */
  static final long CLAIM_TTL_MS = Duration.ofMinutes(15).toMillis();

  public enum Result { ARCHIVED, ALREADY_DONE, HELD_ELSEWHERE, FAILED }

  private final ObjectStore store;
  private final ArchiveStore db;
  private final String nodeId;
  private final int rowsPerPart;
  private final Clock clock;
  private final StorageMetrics metrics;

  public Archiver(ObjectStore store, ArchiveStore db, String nodeId, int rowsPerPart, Clock clock,
                  StorageMetrics metrics) {
    this.store = store;
    this.db = db;
    this.nodeId = nodeId;
    this.rowsPerPart = Math.max(1, rowsPerPart);
    this.clock = clock;
    this.metrics = metrics;
  }

  /** A day is archived only once it is over (plus the grace for its last writes to land). */
  public boolean isOver(LocalDate day, Duration grace) {
    Instant end = day.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    return !clock.instant().isBefore(end.plus(grace));
  }

  /** Every kind of every day in [from, to] that is over and not yet archived; returns how many were archived. */
  public int archiveDays(LocalDate from, LocalDate to, Duration grace) {
    int done = 0;
    for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
      if (!isOver(d, grace)) break;
      for (ArchiveKind k : ArchiveKind.values()) {
        if (archive(k, d) == Result.ARCHIVED) done++;
      }
    }
    return done;
  }

  public Result archive(ArchiveKind kind, LocalDate day) {
    ArchiveStore.Window w = db.window(kind, day);
    if (w != null && !"uploading".equals(w.state())) return Result.ALREADY_DONE;
    if (!db.claim(kind, day, nodeId, CLAIM_TTL_MS)) {
      w = db.window(kind, day);
      return w != null && !"uploading".equals(w.state()) ? Result.ALREADY_DONE : Result.HELD_ELSEWHERE;
    }
    try {
      upload(kind, day);
      return Result.ARCHIVED;
    } catch (RuntimeException e) {
      metrics.archiveFailed();
      log.warn("archiving {} of {} failed (rows stay in the database; retried next round): {}", kind.id, day,
          e.getMessage());
      try {
        db.failed(kind, day, nodeId, e.getMessage());
      } catch (RuntimeException dbDown) {
        log.warn("recording the failed archive of {} {}: {}", kind.id, day, dbDown.toString());
      }
      return Result.FAILED;
    }
  }

  private void upload(ArchiveKind kind, LocalDate day) {
    List<Map<String, Object>> parts = new ArrayList<>();
    ArchiveKind.Totals totals = kind.totals();
    ArchiveFiles.PartWriter[] current = {null};
    db.forEachRow(kind, day, row -> {
      if (current[0] == null) current[0] = new ArchiveFiles.PartWriter(header(kind, day, parts.size()));
      current[0].row(row);
      totals.add(row);
      if (current[0].rows() >= rowsPerPart) {
        parts.add(putVerified(kind, day, parts.size(), current[0]));
        current[0] = null;
      }
    });
    if (current[0] != null) parts.add(putVerified(kind, day, parts.size(), current[0]));
    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("schema_version", ArchiveKind.SCHEMA_VERSION);
    manifest.put("kind", kind.id);
    manifest.put("date", day.toString());
    manifest.put("window_from", day.atStartOfDay().toInstant(ZoneOffset.UTC).toString());
    manifest.put("window_to", day.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC).toString());
    manifest.put("rows", totals.rows());
    manifest.put("sums", totals.sums());
    manifest.put("parts", parts);
    manifest.put("created_at", clock.instant().toString());
    manifest.put("node", nodeId);
    byte[] bytes = Manifest.write(manifest);
    String key = ArchiveFiles.manifestKey(kind, day);
    store.put(key, bytes, "application/json");
    String sha = ArchiveFiles.sha256(bytes);
    byte[] back = store.get(key);
    if (back == null || !sha.equals(ArchiveFiles.sha256(back))) {
      throw new IllegalStateException("manifest read back differs from what was uploaded");
    }
    if (!db.verified(kind, day, nodeId, totals.rows(), key, sha)) {
      throw new IllegalStateException("the claim on the window was lost during the upload");
    }
    metrics.archived();
    log.info("archived {} of {}: {} in {} parts", kind.id, day, totals, parts.size());
  }

  private Map<String, Object> putVerified(ArchiveKind kind, LocalDate day, int index, ArchiveFiles.PartWriter w) {
    byte[] bytes = w.finish();
    String key = ArchiveFiles.partKey(kind, day, index);
    String sha = ArchiveFiles.sha256(bytes);
    store.put(key, bytes, "application/gzip");
    byte[] back = store.get(key);
    if (back == null || !sha.equals(ArchiveFiles.sha256(back))) {
      throw new IllegalStateException("part " + index + " read back differs from what was uploaded");
    }
    db.renew(kind, day, nodeId, CLAIM_TTL_MS);
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("key", key);
    p.put("rows", w.rows());
    p.put("bytes", (long) bytes.length);
    p.put("sha256", sha);
    return p;
  }

  private static Map<String, Object> header(ArchiveKind kind, LocalDate day, int part) {
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("schema_version", ArchiveKind.SCHEMA_VERSION);
    h.put("kind", kind.id);
    h.put("date", day.toString());
    h.put("part", part);
    return h;
  }

  /**
   * Deletes usage records of verified windows older than {@code retentionDays}, each only after the manifest read
   * back matches its recorded checksum and the database still holds exactly the archived rows and sums.
   */
  public long prune(int retentionDays) {
    if (retentionDays <= 0) return 0;
    LocalDate cutoff = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC).minusDays(retentionDays);
    long deleted = 0;
    for (ArchiveStore.Window w : db.windows(List.of("verified"))) {
      if (w.kind() != ArchiveKind.USAGE || !w.day().isBefore(cutoff)) continue;
      try {
        byte[] manifest = store.get(w.manifestKey());
        if (manifest == null || !Objects.equals(w.manifestSha256(), ArchiveFiles.sha256(manifest))) {
          log.warn("not pruning usage of {}: its manifest is missing or altered", w.day());
          continue;
        }
        Manifest m = Manifest.read(manifest);
        ArchiveKind.Totals now = w.kind().totals();
        db.forEachRow(w.kind(), w.day(), now::add);
        if (!now.sameAs(m.rows(), m.sums())) {
          log.warn("usage of {} changed after it was archived ({} vs archived {} rows): archiving it again",
              w.day(), now, m.rows());
          db.reopen(w.kind(), w.day());
          continue;
        }
        int n = db.pruneUsage(w.day(), m.rows());
        if (n < 0) {
          db.reopen(w.kind(), w.day());
          continue;
        }
        deleted += n;
        metrics.pruned(n);
        log.info("pruned {} usage records of {} (archived at {})", n, w.day(), w.manifestKey());
      } catch (RuntimeException e) {
        metrics.storeFailed();
        log.warn("pruning usage of {} skipped: {}", w.day(), e.getMessage());
      }
    }
    return deleted;
  }
}
