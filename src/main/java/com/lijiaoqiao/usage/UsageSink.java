package com.lijiaoqiao.usage;

import java.util.List;

/** Where usage records land (the database, in {@code store}). Blocking; called from the writer thread. */
public interface UsageSink {
  /** Writes the batch; a record whose request id is already stored is skipped, so replays are harmless. */
  void write(List<UsageRecord> batch);
}
