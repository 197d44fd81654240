package com.lijiaoqiao.protocol;

import java.security.SecureRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token counts of prompt texts seen recently, keyed by a keyed 64-bit hash of the text and its length (never the
 * text: no prompt is kept). Chat clients send the whole conversation on every turn — a coding agent resends a
 * system prompt, tool definitions and history of tens of thousands of characters — so without this each turn would
 * tokenize all of it again on the event loop; with it, only the new messages are tokenized. The hash's seed is drawn
 * per process, so nobody can craft a text that borrows another text's count; a count is only an estimate (limits,
 * reservations), settled against the upstream's reported usage. Counts are kept per tenant: no tenant can tell from
 * the time a request takes whether another tenant sent the same text.
 */
final class PromptCountCache {
  /** Shorter texts are tokenized about as fast as they are hashed. */
  static final int MIN_CHARS = 24;
  private static final int MAX_ENTRIES = 1 << 16;
  private static final long SEED = new SecureRandom().nextLong();

  private record Key(long hash, int length, long scope) {}

  private static final ConcurrentHashMap<Key, Integer> COUNTS = new ConcurrentHashMap<>();

  private PromptCountCache() {}

  /** {@code scope}: whose texts these are (the tenant); a count is only ever reused within its scope. */
  static int count(String text, long scope) {
    if (text.length() < MIN_CHARS) return TokenCounter.count(text);
    Key key = new Key(hash(text), text.length(), scope);
    Integer n = COUNTS.get(key);
    if (n != null) return n;
    int counted = TokenCounter.count(text);
    // Bounded without bookkeeping: when full, start again (a miss costs one tokenization).
    if (COUNTS.size() >= MAX_ENTRIES) COUNTS.clear();
    COUNTS.put(key, counted);
    return counted;
  }

  /** A seeded mix of every char (two chars per step), finished with a 64-bit avalanche. */
  static long hash(String s) {
    long h = SEED ^ (s.length() * 0x9E3779B97F4A7C15L);
    int n = s.length();
    int i = 0;
    for (; i + 1 < n; i += 2) {
      long v = ((long) s.charAt(i) << 16) | s.charAt(i + 1);
      h = Long.rotateLeft(h ^ (v * 0xC2B2AE3D27D4EB4FL), 31) * 0x9E3779B97F4A7C15L;
    }
    if (i < n) h = Long.rotateLeft(h ^ (s.charAt(i) * 0xC2B2AE3D27D4EB4FL), 31) * 0x9E3779B97F4A7C15L;
    h ^= h >>> 33;
    h *= 0xFF51AFD7ED558CCDL;
    h ^= h >>> 33;
    h *= 0xC4CEB9FE1A85EC53L;
    return h ^ (h >>> 33);
  }

  /** Whether a count of {@code text} is held for {@code scope} (tests). */
  static boolean holds(String text, long scope) {
    return COUNTS.containsKey(new Key(hash(text), text.length(), scope));
  }
}
