package com.lijiaoqiao.billing;

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
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local append-only file of settlements, one JSON line each, written before a response's last byte so a
 * charge survives a kill -9 (the bytes are in the operating system once write() returns). A checkpoint file
 * records how far the ledger has received them; at start-up everything after it is shipped again (shipping is
 * idempotent by request id, so a crash between shipping and checkpointing charges nothing twice).
 */
public final class SettlementJournal implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SettlementJournal.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Once everything written has been shipped and the file is larger than this, it starts over. */
  private static final long COMPACT_AT_BYTES = 16L * 1024 * 1024;

  private final Path file;
  private final Path checkpointFile;
  private final FileChannel channel;
  private long end;

  public SettlementJournal(Path dir) {
    try {
      Files.createDirectories(dir);
      this.file = dir.resolve("settlements.journal");
      this.checkpointFile = dir.resolve("settlements.checkpoint");
      this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.READ);
      this.end = channel.size();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the settlement journal in " + dir, e);
    }
  }

  /** Appends one settlement; returns the file offset just after it (the point to checkpoint once shipped). */
  public synchronized long append(Settlement s) {
    try {
      byte[] line = (JSON.writeValueAsString(s) + "\n").getBytes(StandardCharsets.UTF_8);
      ByteBuffer buf = ByteBuffer.wrap(line);
      long at = end;
      while (buf.hasRemaining()) {
        at += channel.write(buf, at);
      }
      end = at;
      return end;
    } catch (IOException e) {
      // The charge still reaches the ledger through the in-memory queue; only crash-safety is lost.
      log.error("could not append settlement {} to the journal: {}", s.requestId(), e.toString());
      return -1;
    }
  }

  /**
   * Keeps a settlement the ledger refused for good (a constraint it violates) in settlements.rejected, for an
   * operator to resolve; ljq reconcile reports it. The charge stays in memory, so the tenant was charged.
   */
  public synchronized void setAside(Settlement s, String reason) {
    log.error("the ledger refused settlement {}; kept in settlements.rejected: {}", s.requestId(), reason);
    try {
      Files.writeString(file.resolveSibling("settlements.rejected"), JSON.writeValueAsString(s) + "\n",
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      log.error("could not keep the refused settlement {}: {}", s.requestId(), e.toString());
    }
  }

  /** Records that everything before {@code offset} is in the ledger; compacts the file when all of it is. */
  public synchronized void checkpoint(long offset) {
    if (offset < 0) return;
    try {
      if (offset >= end && end > COMPACT_AT_BYTES) {
        channel.truncate(0);
        end = 0;
        offset = 0;
      }
      Path tmp = checkpointFile.resolveSibling(checkpointFile.getFileName() + ".tmp");
      Files.writeString(tmp, Long.toString(offset));
      Files.move(tmp, checkpointFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      log.warn("could not write the journal checkpoint: {}", e.toString());
    }
  }

  /** Settlements written but not yet known to be in the ledger (start-up replay). A torn last line is ignored. */
  public synchronized List<Settlement> unshipped() {
    List<Settlement> out = new ArrayList<>();
    try {
      long from = 0;
      if (Files.isRegularFile(checkpointFile)) {
        String t = Files.readString(checkpointFile).trim();
        if (!t.isEmpty()) from = Long.parseLong(t);
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
        start = nl + 1;
        if (line.isBlank()) continue;
        try {
          out.add(JSON.readValue(line, Settlement.class));
        } catch (IOException e) {
          log.error("skipping an unreadable journal line at offset {}", from + start);
        }
      }
      if (start < text.length()) {
        log.warn("the journal ends with a partial line ({} bytes): the process stopped while writing it",
            text.length() - start);
        channel.truncate(from + text.substring(0, start).getBytes(StandardCharsets.UTF_8).length);
        end = channel.size();
      }
    } catch (IOException | NumberFormatException e) {
      throw new IllegalStateException("cannot read the settlement journal " + file, e);
    }
    return out;
  }

  public synchronized long end() {
    return end;
  }

  @Override
  public synchronized void close() {
    try {
      channel.close();
    } catch (IOException ignored) {
      // closing
    }
  }
}
