package com.lijiaoqiao.storage;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** The database side of archiving (implemented in store/): rows of a window, and the windows' states. */
public interface ArchiveStore {
  /** A window as recorded: uploading (claimed by a node until a time), verified, or pruned. */
  record Window(ArchiveKind kind, LocalDate day, String state, String nodeId, int attempts, Long rows,
                String manifestKey, String manifestSha256, String lastError) {}

  /** Every row of the kind created in the UTC day, in id order, as column → value (numbers, text, ISO instants). */
  void forEachRow(ArchiveKind kind, LocalDate day, Consumer<Map<String, Object>> row);

  /**
   * Claims the window for {@code nodeId} until {@code ttlMs} from now: a new window, or one still uploading whose
   * claim ran out (or is this node's own). False when another node holds it or it is already verified.
   */
  boolean claim(ArchiveKind kind, LocalDate day, String nodeId, long ttlMs);

  /** Pushes this node's claim further (between parts of a long upload). */
  void renew(ArchiveKind kind, LocalDate day, String nodeId, long ttlMs);

  /** The upload was read back and matches: verified (only while this node still holds the claim). */
  boolean verified(ArchiveKind kind, LocalDate day, String nodeId, long rows, String manifestKey, String manifestSha256);

  /** The upload failed: the claim is released at once (the next round retries) and the reason kept. */
  void failed(ArchiveKind kind, LocalDate day, String nodeId, String error);

  /** The window's database rows no longer match its archive (late writes): it is archived again. */
  void reopen(ArchiveKind kind, LocalDate day);

  Window window(ArchiveKind kind, LocalDate day);

  /** Windows in any of the states, oldest first. */
  List<Window> windows(List<String> states);

  /**
   * Deletes the window's usage records and marks it pruned, in one transaction, only when exactly
   * {@code expectedRows} go (the archived count); returns the rows deleted, 0 when the window is not verified, or -1
   * when the count differed and nothing was deleted.
   */
  int pruneUsage(LocalDate day, long expectedRows);
}
