package com.lijiaoqiao.billing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local append-only file of settlements, one JSON line each, written before a response's last byte so a
 * charge survives a kill -9 (the bytes are in the operating system once write() returns). A checkpoint file
 * records how far the ledger has received them; at start-up everything after it is shipped again (shipping is
 * idempotent by request id, so a crash between shipping and checkpointing charges nothing twice). Streams in
 * flight also write progress entries (what they relayed so far); a replay charges the latest one of a stream
 * that never settled.
 */
public final class SettlementJournal implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SettlementJournal.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Once everything written has been shipped and the file is larger than this, it starts over. */
  private static final long COMPACT_AT_BYTES = 16L * 1024 * 1024;
  private final long compactAtBytes;

  private final Path file;
  private final Path checkpointFile;
  private final Path rejectedFile;
  /** Keys of what settlements.rejected holds, read on first use. */
  private Set<String> asideKeys;
  private final FileChannel channel;
  private long end;
  /** Offset up to which settlements are applied to the ledger (visible, not necessarily durable yet). */
  private long applied;
  private final StreamProgress progress = new StreamProgress();
  /** Durable counts that outlive compaction (reconcile compares them with the ledger). */
  private final JournalTotals totals;
  /** The final settlements in the file now (progress entries are not charges), and their sum. */
  private long fileCount;
  private long fileMicros;

  public SettlementJournal(Path dir) {
    this(dir, COMPACT_AT_BYTES);
  }

  /** With a smaller compaction size (tests). */
  SettlementJournal(Path dir, long compactAtBytes) {
    this.compactAtBytes = compactAtBytes;
    try {
      Files.createDirectories(dir);
      this.file = dir.resolve("settlements.journal");
      this.checkpointFile = dir.resolve("settlements.checkpoint");
      this.rejectedFile = dir.resolve("settlements.rejected");
      this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.READ);
      this.end = channel.size();
      List<Counted> lines = readCounted();
      long since = lines.stream().mapToLong(c -> c.settlement().createdAtMillis()).min().orElse(Long.MAX_VALUE);
      this.totals = JournalTotals.open(dir, Math.min(since, System.currentTimeMillis()));
      long cut = totals.state().truncatingBytes();
      if (cut > 0) {
        // A compaction counted these bytes and stopped before cutting them off: finish it, keeping the progress
        // of streams that were in flight (a replay charges them).
        if (end == cut) {
          Map<String, byte[]> keep = new LinkedHashMap<>();
          for (Counted c : lines) {
            if (c.settlement().progress()) keep.put(c.settlement().requestId(), line(c.settlement()));
            else keep.remove(c.settlement().requestId());
          }
          channel.truncate(0);
          end = 0;
          for (byte[] l : keep.values()) write(l);
          lines = readCounted();
        } else if (end > cut) {
          log.error("the journal grew after an unfinished compaction; its totals count {} bytes twice", cut);
        }
        totals.compacted();
      }
      for (Counted c : lines) {
        if (c.settlement().progress()) continue;
        fileCount++;
        fileMicros += c.settlement().costMicros();
      }
      totals.started(System.currentTimeMillis());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the settlement journal in " + dir, e);
    }
  }

  /** Appends one settlement; returns the file offset just after it (the point to checkpoint once shipped). */
  public synchronized long append(Settlement s) {
    try {
      long after = write(line(s));
      progress.close(s.requestId());
      fileCount++;
      fileMicros += s.costMicros();
      return after;
    } catch (IOException e) {
      // The charge still reaches the ledger through the in-memory queue; only crash-safety is lost.
      log.error("could not append settlement {} to the journal: {}", s.requestId(), e.toString());
      return -1;
    }
  }

  /**
   * Appends what a stream in flight has relayed so far. Never shipped while the node lives: the stream's own
   * settlement supersedes it; a replay charges it only when that settlement never came (kill -9 mid-stream).
   */
  public synchronized void appendProgress(Settlement s) {
    try {
      byte[] line = line(s);
      long at = end;
      write(line);
      progress.record(s.requestId(), at, line);
    } catch (IOException e) {
      log.warn("could not journal the progress of stream {}: {}", s.requestId(), e.toString());
    }
  }

  /** The request will never settle through this journal (it was settled already): drop its progress. */
  public synchronized void forgetProgress(String requestId) {
    progress.close(requestId);
  }

  /** How many streams in flight have journaled progress (for tests and metrics). */
  public synchronized int openStreams() {
    return progress.size();
  }

  private static byte[] line(Settlement s) throws IOException {
    byte[] json = JSON.writeValueAsBytes(s);
    byte[] line = java.util.Arrays.copyOf(json, json.length + 1);
    line[json.length] = '\n';
    return line;
  }

  private long write(byte[] line) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(line);
    long at = end;
    while (buf.hasRemaining()) {
      at += channel.write(buf, at);
    }
    end = at;
    return end;
  }

  /** A settlement, or a journal line, kept aside for an operator (settlements.rejected). */
  public record SetAside(String at, String reason, String requestId, Long tenantId, Long costMicros, Long offset) {
    @Override
    public String toString() {
      return (requestId != null ? "settlement " + requestId + " (tenant " + tenantId + ", cost "
          + (costMicros == null ? "?" : Money.format(costMicros)) + ")" : "journal line at offset " + offset)
          + " set aside " + at + ": " + reason;
    }
  }

  /** What a start-up replay did: shipped to the ledger, and kept aside (unreadable or refused for good). */
  public record Replayed(int shipped, int setAside) {}

  /**
   * Keeps a settlement the ledger refused for good (a value it cannot hold, a constraint it violates) in
   * settlements.rejected, for an operator to resolve; ljq reconcile reports it. Its charge was taken in memory
   * but is not in the ledger, so from the next start the tenant's balance is the ledger's, without it.
   * Keeping the same settlement twice (a replay after a crash) writes it once.
   */
  public synchronized void setAside(Settlement s, String reason) {
    log.error("the ledger refused settlement {} of tenant {} for good; kept in settlements.rejected: {}",
        s.requestId(), s.tenantId(), reason);
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("at", Instant.now().toString());
    entry.put("reason", reason);
    entry.put("settlement", s);
    if (keepAside("settlement:" + s.requestId(), entry)) {
      try {
        totals.setAside(s.costMicros());
      } catch (UncheckedIOException e) {
        log.error("could not count set-aside settlement {} in the journal totals: {}", s.requestId(), e.toString());
      }
    }
  }

  /** Keeps a journal line that is not a settlement (garbled, cut, hand-edited); it is never shipped. */
  private void setAsideLine(String line, long offset, String reason) {
    log.error("skipping an unreadable journal line at offset {} ({} characters); kept in settlements.rejected",
        offset, line.length());
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("at", Instant.now().toString());
    entry.put("reason", reason);
    entry.put("offset", offset);
    entry.put("line", line.length() > 10_000 ? line.substring(0, 10_000) : line);
    keepAside("line:" + offset + ":" + line.hashCode(), entry);
  }

  /** True when the entry was new (a repeat is kept once). */
  private boolean keepAside(String key, Map<String, Object> entry) {
    try {
      if (asideKeys == null) {
        asideKeys = new HashSet<>();
        for (JsonNode n : rejectedLines()) asideKeys.add(keyOf(n));
      }
      if (!asideKeys.add(key)) return false;
      entry.put("key", key);
      Files.writeString(rejectedFile, JSON.writeValueAsString(entry) + "\n", StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      log.error("could not keep {} in settlements.rejected: {}", key, e.toString());
    }
    return true;
  }

  private static String keyOf(JsonNode n) {
    if (n.hasNonNull("key")) return n.get("key").asText();
    JsonNode s = n.has("settlement") ? n.get("settlement") : n; // an entry of an older version: the bare settlement
    return "settlement:" + s.path("requestId").asText();
  }

  /** The entries of settlements.rejected (unreadable ones are reported as such). */
  public synchronized List<SetAside> setAsideEntries() {
    List<SetAside> out = new ArrayList<>();
    try {
      for (JsonNode n : rejectedLines()) {
        if (n.isMissingNode()) {
          out.add(new SetAside("?", "an unreadable line in settlements.rejected", null, null, null, null));
          continue;
        }
        JsonNode s = n.has("settlement") ? n.get("settlement") : n;
        String reason = n.has("reason") ? n.get("reason").asText() : "refused by the ledger";
        String at = n.has("at") ? n.get("at").asText() : "?";
        if (s.hasNonNull("requestId")) {
          out.add(new SetAside(at, reason, s.get("requestId").asText(), s.path("tenantId").asLong(),
              s.path("costMicros").asLong(), null));
        } else {
          out.add(new SetAside(at, reason, null, null, null, n.path("offset").asLong(-1)));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + rejectedFile, e);
    }
    return out;
  }

  /** Each line of settlements.rejected as JSON; a line that is not JSON is a missing node. */
  private List<JsonNode> rejectedLines() throws IOException {
    List<JsonNode> out = new ArrayList<>();
    if (!Files.isRegularFile(rejectedFile)) return out;
    for (String line : Files.readAllLines(rejectedFile, StandardCharsets.UTF_8)) {
      if (line.isBlank()) continue;
      try {
        out.add(JSON.readTree(line));
      } catch (IOException e) {
        out.add(com.fasterxml.jackson.databind.node.MissingNode.getInstance());
      }
    }
    return out;
  }

  /**
   * Ships what the journal holds beyond its checkpoint (start-up and {@code ljq reconcile}), then moves the
   * checkpoint to the end. One bad line never stops it: an unreadable line or a settlement the ledger refuses
   * for good is set aside, logged, and the rest ships. A database that cannot be reached is thrown.
   */
  public Replayed replayInto(LedgerStore store) {
    int asideBefore = setAsideEntries().size();
    List<Settlement> pending = unshipped();
    // A stream its node did not live to settle is charged its last progress: written as a final settlement first,
    // so the journal counts it (reconcile) and a later replay finds it settled.
    Set<String> finals = new HashSet<>();
    for (Settlement s : lines()) if (!s.progress()) finals.add(s.requestId());
    for (Settlement s : pending) if (!finals.contains(s.requestId())) append(s);
    int shipped = 0;
    if (!pending.isEmpty()) {
      List<LedgerShipper.Item> items = new ArrayList<>(pending.size());
      for (Settlement s : pending) items.add(new LedgerShipper.Item(s, -1, null));
      shipped = LedgerShipper.shipIsolating(store, this, items, Collections.newSetFromMap(new IdentityHashMap<>()));
    }
    store.makeDurable();
    checkpoint(end());
    return new Replayed(shipped, setAsideEntries().size() - asideBefore);
  }

  /**
   * Notes that everything before {@code offset} is visible in the ledger, though perhaps not yet durable there:
   * the reconciliation then counts it as shipped, while a replay after a crash still starts at the checkpoint.
   */
  public synchronized void applied(long offset) {
    if (offset > applied && offset <= end) applied = offset;
  }

  /**
   * Records that everything before {@code offset} is durably in the ledger (held back to the oldest progress
   * entry of a stream in flight); compacts the file when all of it is.
   */
  public synchronized void checkpoint(long offset) {
    if (offset < 0) return;
    try {
      if (offset >= end && end > compactAtBytes) {
        // Every settlement is shipped: start over, keeping only the latest progress of streams in flight. What is
        // cut off is counted first: the totals must never forget a settlement (see JournalTotals).
        Map<String, byte[]> keep = progress.lines();
        totals.compacting(fileCount, fileMicros, end);
        channel.truncate(0);
        end = 0;
        fileCount = 0;
        fileMicros = 0;
        for (var e : keep.entrySet()) {
          long at = end;
          write(e.getValue());
          progress.record(e.getKey(), at, e.getValue());
        }
        offset = 0;
        applied = 0;
        totals.compacted();
      }
      // A replay must still find the latest progress of every stream in flight.
      offset = progress.clamp(offset);
      Path tmp = checkpointFile.resolveSibling(checkpointFile.getFileName() + ".tmp");
      Files.writeString(tmp, Long.toString(offset));
      Files.move(tmp, checkpointFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | UncheckedIOException e) {
      log.warn("could not write the journal checkpoint: {}", e.toString());
    }
  }

  /**
   * Settlements written but not yet known to be in the ledger (start-up replay), with the last progress of each
   * stream that never settled as its charge (see {@link StreamProgress#resolve}). A torn last line is cut off;
   * any other line that is not a settlement is set aside (settlements.rejected) and skipped.
   */
  public synchronized List<Settlement> unshipped() {
    return StreamProgress.resolve(lines());
  }

  /** The settlement and progress lines after the checkpoint, in order. */
  private List<Settlement> lines() {
    List<Settlement> out = new ArrayList<>();
    try {
      long from = 0;
      if (Files.isRegularFile(checkpointFile)) {
        String t = Files.readString(checkpointFile).trim();
        try {
          if (!t.isEmpty()) from = Long.parseLong(t);
        } catch (NumberFormatException e) {
          // replaying everything is safe: shipping is idempotent by request id
          log.warn("the journal checkpoint is unreadable; replaying the whole journal");
        }
        if (from < 0) from = 0;
      }
      if (from > end) from = 0; // file was compacted after the checkpoint: replay all of it (idempotent)
      long size = end - from;
      if (size <= 0) return out;
      ByteBuffer buf = ByteBuffer.allocate((int) Math.min(size, Integer.MAX_VALUE - 8));
      channel.read(buf, from);
      String text = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
      int start = 0;
      while (true) {
        int nl = text.indexOf('\n', start);
        if (nl < 0) break;
        String line = text.substring(start, nl);
        int lineStart = start;
        start = nl + 1;
        if (line.isBlank()) continue;
        String bad;
        try {
          Settlement s = JSON.readValue(line, Settlement.class);
          if (s != null && s.requestId() != null && !s.requestId().isBlank()) {
            out.add(s);
            continue;
          }
          bad = "not a settlement (no request id)";
        } catch (IOException | RuntimeException e) {
          bad = "unreadable: " + e.getClass().getSimpleName();
        }
        setAsideLine(line, from + text.substring(0, lineStart).getBytes(StandardCharsets.UTF_8).length, bad);
      }
      if (start < text.length()) {
        log.warn("the journal ends with a partial line ({} bytes): the process stopped while writing it",
            text.length() - start);
        channel.truncate(from + text.substring(0, start).getBytes(StandardCharsets.UTF_8).length);
        end = channel.size();
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the settlement journal " + file, e);
    }
    return out;
  }

  /** A settlement line of the file and whether the checkpoint has passed it (it is in the ledger). */
  public record Counted(Settlement settlement, boolean shipped) {}

  /**
   * What the journal says was charged: every settlement it ever counted ({@code journaled*}: compacted history
   * plus the file), those set aside, the lines still in the file, and the runs that ended uncleanly.
   */
  public record Figures(long sinceMillis, long journaledCount, long journaledMicros, long asideCount,
                        long asideMicros, List<Counted> retained, List<JournalTotals.Window> uncleanStops) {}

  public synchronized Figures figures() {
    try {
      JournalTotals.State t = totals.state();
      // Progress entries are not charges: a stream in flight, or one a replay has already charged as final.
      List<Counted> lines = readCounted().stream().filter(c -> !c.settlement().progress()).toList();
      return new Figures(t.sinceMillis(), t.compactedCount() + fileCount, t.compactedMicros() + fileMicros,
          t.asideCount(), t.asideMicros(), lines, List.copyOf(t.uncleanStops()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the settlement journal " + file, e);
    }
  }

  /** The complete settlement lines of the file; others are skipped (the replay sets them aside). */
  private List<Counted> readCounted() throws IOException {
    long checkpoint = 0;
    if (Files.isRegularFile(checkpointFile)) {
      try {
        checkpoint = Long.parseLong(Files.readString(checkpointFile).trim());
      } catch (NumberFormatException e) {
        checkpoint = 0;
      }
    }
    if (checkpoint > end) checkpoint = 0;
    checkpoint = Math.max(checkpoint, applied);
    List<Counted> out = new ArrayList<>();
    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(end, Integer.MAX_VALUE - 8));
    channel.read(buf, 0);
    byte[] bytes = buf.array();
    int start = 0;
    for (int i = 0; i < buf.position(); i++) {
      if (bytes[i] != '\n') continue;
      String line = new String(bytes, start, i - start, StandardCharsets.UTF_8);
      boolean shipped = i < checkpoint;
      start = i + 1;
      if (line.isBlank()) continue;
      try {
        Settlement s = JSON.readValue(line, Settlement.class);
        if (s != null && s.requestId() != null && !s.requestId().isBlank()) out.add(new Counted(s, shipped));
      } catch (IOException | RuntimeException e) {
        // not a settlement: set aside by the replay, never counted
      }
    }
    return out;
  }

  public synchronized long end() {
    return end;
  }

  @Override
  public synchronized void close() {
    try {
      totals.stopped();
    } catch (UncheckedIOException e) {
      log.warn("could not note a clean stop in the journal totals: {}", e.toString());
    }
    try {
      channel.close();
    } catch (IOException ignored) {
      // closing
    }
  }
}
