package com.lijiaoqiao.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Alias patterns on their own: glob matching, exact over pattern, longest pattern first, nothing for the rest. */
class ModelAliasesTest {
  static ModelAliases aliases(String... pairs) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) m.put(pairs[i], pairs[i + 1]);
    return ModelAliases.of(m);
  }

  @Test
  void patternsMatchDatedAndNewerIds() {
    ModelAliases a = aliases("claude-opus-*", "opus", "claude-3-*haiku*", "haiku");
    assertThat(a.target("claude-opus-4-8")).isEqualTo("opus");
    assertThat(a.target("claude-opus-5-5")).isEqualTo("opus");
    assertThat(a.target("claude-opus-")).isEqualTo("opus"); // * may be empty
    assertThat(a.target("claude-3-5-haiku-20241022")).isEqualTo("haiku");
    assertThat(a.target("claude-opus")).isNull();
    assertThat(a.target("xclaude-opus-4")).isNull();
    assertThat(a.target("gpt-4o")).isNull();
  }

  @Test
  void exactBeatsPatternAndTheLongestPatternWins() {
    ModelAliases a = aliases("claude-*", "any-claude", "claude-haiku-4-5*", "haiku-45", "claude-haiku-*", "haiku",
        "claude-haiku-4-5-20251001", "pinned");
    assertThat(a.target("claude-haiku-4-5-20251001")).isEqualTo("pinned");
    assertThat(a.target("claude-haiku-4-5-20991231")).isEqualTo("haiku-45");
    assertThat(a.target("claude-haiku-5")).isEqualTo("haiku");
    assertThat(a.target("claude-sonnet-9")).isEqualTo("any-claude");
    // asked twice (the second answer comes from the cache): the same
    assertThat(a.target("claude-haiku-5")).isEqualTo("haiku");
  }

  @Test
  void equalLengthPatternsGoToTheOneConfiguredFirst() {
    assertThat(aliases("a*-x", "first", "a-*x", "second").target("a-x")).isEqualTo("first");
    assertThat(aliases("a-*x", "second", "a*-x", "first").target("a-x")).isEqualTo("second");
  }

  @Test
  void globPartsDoNotOverlap() {
    assertThat(ModelAliases.matches("ab*ba".split("\\*", -1), "aba")).isFalse();
    assertThat(ModelAliases.matches("ab*ba".split("\\*", -1), "abba")).isTrue();
    assertThat(ModelAliases.matches("a*b*c".split("\\*", -1), "axbyc")).isTrue();
    assertThat(ModelAliases.matches("a*b*c".split("\\*", -1), "acb")).isFalse();
    assertThat(ModelAliases.matches("*".split("\\*", -1), "")).isTrue();
  }

  @Test
  void badAliasesAreRefusedAtLoad() {
    assertThatThrownBy(() -> aliases("claude-*", "claude-*-x")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("pattern");
    assertThatThrownBy(() -> aliases("claude-*", " ")).isInstanceOf(IllegalArgumentException.class);
    assertThat(ModelAliases.of(Map.of()).target("anything")).isNull();
  }
}
