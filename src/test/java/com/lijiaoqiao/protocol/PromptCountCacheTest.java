package com.lijiaoqiao.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Cached counts are the tokenizer's counts, and texts that differ in a char or in length never share one. */
class PromptCountCacheTest {
  @Test
  void aCachedCountIsTheTokenizersCount() {
    String[] texts = {"short", "Write a Python function that reverses a linked list, please.",
        "请用中文回答：什么是大语言模型？它们如何工作？请详细说明。", "x".repeat(5_000), "  \n\n  spaces and\ttabs " + "word ".repeat(300)};
    for (String t : texts) {
      int exact = TokenCounter.count(t);
      assertEquals(exact, PromptCountCache.count(t, 1), t);
      assertEquals(exact, PromptCountCache.count(new String(t.toCharArray()), 1), t); // a hit, from another String
    }
  }

  @Test
  void textsThatDifferAnywhereGetDifferentCounts() {
    String a = "The quick brown fox jumps over the lazy dog, again and again and again.";
    String b = a.substring(0, 40) + "X" + a.substring(41); // same length, one char changed
    String c = "请" + "词".repeat(a.length() - 1); // same length, many more tokens
    PromptCountCache.count(a, 1);
    assertEquals(TokenCounter.count(b), PromptCountCache.count(b, 1));
    assertEquals(TokenCounter.count(c), PromptCountCache.count(c, 1));
    assertNotEquals(PromptCountCache.hash(a), PromptCountCache.hash(b));
    Set<Long> seen = new HashSet<>();
    for (int i = 0; i < 100_000; i++) seen.add(PromptCountCache.hash("message number " + i + " of the conversation"));
    assertEquals(100_000, seen.size());
  }

  @Test
  void aConversationCountsTheSameWhetherItsMessagesAreCachedOrNot() throws Exception {
    var body = new ObjectMapper().readTree("{\"messages\":[{\"role\":\"system\",\"content\":\"You are a careful assistant "
        + "who answers briefly.\"},{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Summarise the plot of "
        + "Hamlet in two sentences.\"}]}]}");
    int cold = TokenCounter.countPrompt(Endpoint.CHAT_COMPLETIONS, body, 1);
    int warm = TokenCounter.countPrompt(Endpoint.CHAT_COMPLETIONS, body, 1);
    assertEquals(cold, warm);
    assertEquals(3 + 3 + TokenCounter.count("You are a careful assistant who answers briefly.") + 3
        + TokenCounter.count("Summarise the plot of Hamlet in two sentences."), warm);
  }

  @Test
  void aCountIsReusedOnlyWithinItsTenant() {
    String text = "A confidential system prompt that only tenant one ever sends to the gateway.";
    PromptCountCache.count(text, 1);
    assertTrue(PromptCountCache.holds(text, 1));
    assertFalse(PromptCountCache.holds(text, 2), "another tenant's request is counted afresh: nothing to time");
  }
}
