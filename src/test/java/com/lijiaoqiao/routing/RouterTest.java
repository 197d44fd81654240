package com.lijiaoqiao.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.lijiaoqiao.providers.Providers;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Candidates, scores, ordering, stickiness: all in memory. */
class RouterTest {
  final AtomicLong now = new AtomicLong(1_000_000_000L);
  Router router = router(Weights.DEFAULT, Map.of());

  Router router(Weights w, Map<String, Weights> perModel) {
    return new Router(new Router.StateSettings(5, 20, 10, 0.5, 1_000, 64, 64), w, perModel, true, now::get);
  }

  static ProviderDef def(String id, int tier, double quality, double price, boolean tools, int maxContext) {
    return new ProviderDef(id, "openai-compatible", "http://127.0.0.1:9/v1", "", Map.of("m", "m-" + id), true,
        tools, true, maxContext, tier, quality, price, price, "", true, "config");
  }

  void install(ProviderDef... defs) {
    router.install(List.of(defs), d -> Providers.create(d, null, 1000, 1000));
  }

  List<String> order(Needs needs, String sticky) {
    List<String> ids = new ArrayList<>();
    for (Scored s : router.plan("m", needs, sticky)) ids.add(s.candidate().id());
    return ids;
  }

  @Test
  void equalCandidatesAreOrderedDeterministicallyById() {
    install(def("c", 0, 0.5, 1, true, 0), def("a", 0, 0.5, 1, true, 0), def("b", 0, 0.5, 1, true, 0));
    assertThat(order(Needs.NONE, null)).containsExactly("a", "b", "c");
    assertThat(router.plan("m", Needs.NONE, null)).allMatch(s -> Math.abs(s.score() - 1.0) < 1e-9);
  }

  @Test
  void theScoreWeighsLatencyAvailabilityCostAndQuality() {
    install(def("fast", 0, 0.5, 10, true, 0), def("slow", 0, 0.5, 1, true, 0));
    for (int i = 0; i < 20; i++) {
      router.state("fast").record("m", "ok", true, true, 100);
      router.state("slow").record("m", "ok", true, true, 1_000);
    }
    List<Scored> plan = router.plan("m", Needs.NONE, null);
    // fast: latency 1 (0.4) + availability 1 (0.3) + cost 0 + quality 1 (0.1) = 0.8; slow: 0 + 0.3 + 0.2 + 0.1 = 0.6
    assertThat(plan.get(0).candidate().id()).isEqualTo("fast");
    assertThat(plan.get(0).score()).isCloseTo(0.8, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(plan.get(1).score()).isCloseTo(0.6, org.assertj.core.data.Offset.offset(1e-9));
    // Failures lower availability (alternating, so the breaker stays closed): fast drops to 0.75, slow wins.
    for (int i = 0; i < 10; i++) {
      router.state("fast").record("m", "http_503", false, true, 5);
      router.state("fast").record("m", "ok", true, true, 100);
    }
    assertThat(router.state("fast").availability()).isCloseTo(0.75, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(order(Needs.NONE, null)).containsExactly("slow", "fast");
  }

  @Test
  void weightsArePerModelWhenConfigured() {
    router = router(Weights.DEFAULT, Map.of("m", new Weights(0, 0, 1, 0)));
    install(def("fast", 0, 0.5, 10, true, 0), def("cheap", 0, 0.5, 1, true, 0));
    for (int i = 0; i < 5; i++) {
      router.state("fast").record("m", "ok", true, true, 10);
      router.state("cheap").record("m", "ok", true, true, 5_000);
    }
    assertThat(order(Needs.NONE, null)).containsExactly("cheap", "fast");
  }

  @Test
  void tiersComeBeforeScoresAndCoolingProvidersGoLast() {
    install(def("backup", 1, 1.0, 0, true, 0), def("main", 0, 0.1, 100, true, 0));
    assertThat(order(Needs.NONE, null)).containsExactly("main", "backup");
    router.state("main").lane("m").coolFor(2_000);
    assertThat(order(Needs.NONE, null)).containsExactly("backup", "main");
    now.addAndGet(2_001_000_000L);
    assertThat(order(Needs.NONE, null)).containsExactly("main", "backup");
  }

  @Test
  void aModelsConfiguredOrderOverridesTiers() {
    install(def("a", 0, 0.5, 1, true, 0), def("b", 1, 0.5, 1, true, 0), def("c", 0, 0.5, 1, true, 0));
    router.modelOrder(Map.of("m", List.of("b", "c")));
    assertThat(order(Needs.NONE, null)).containsExactly("b", "c", "a");
    assertThat(router.plan("m", Needs.NONE, null).get(2).tier()).isEqualTo(2);
    router.modelOrder(Map.of());
    assertThat(order(Needs.NONE, null)).containsExactly("a", "c", "b");
  }

  @Test
  void capabilitiesAndOpenCircuitsFilterCandidates() {
    install(def("notools", 0, 0.5, 1, false, 0), def("small", 0, 0.5, 1, true, 1_000), def("big", 0, 0.5, 1, true, 0));
    assertThat(order(new Needs(false, true, false, 0), null)).containsExactly("big", "small");
    assertThat(order(new Needs(false, false, false, 5_000), null)).containsExactly("big", "notools");
    for (int i = 0; i < 5; i++) router.state("big").record("m", "reset", false, true, 1);
    assertThat(order(new Needs(false, true, false, 5_000), null)).isEmpty();
    assertThat(order(Needs.NONE, null)).containsExactly("notools", "small");
  }

  @Test
  void stickinessPrefersTheLastProviderWhileItStaysHealthy() {
    install(def("a", 0, 0.5, 1, true, 0), def("b", 0, 0.5, 1, true, 0));
    assertThat(order(Needs.NONE, "user-1")).startsWith("a");
    router.served("m", "user-1", "b");
    assertThat(order(Needs.NONE, "user-1")).containsExactly("b", "a");
    assertThat(order(Needs.NONE, "user-2")).containsExactly("a", "b");
    for (int i = 0; i < 5; i++) router.state("b").record("m", "reset", false, true, 1);
    assertThat(order(Needs.NONE, "user-1")).containsExactly("a");
  }

  @Test
  void aNewSnapshotKeepsLiveStateAndDropsRemovedProviders() {
    install(def("a", 0, 0.5, 1, true, 0), def("b", 0, 0.5, 1, true, 0));
    router.state("a").record("m", "ok", true, true, 42);
    install(def("a", 0, 0.5, 1, true, 0));
    assertThat(router.state("a").p99Ms()).isEqualTo(42.0);
    assertThat(router.existingState("b")).isNull();
    assertThat(order(Needs.NONE, null)).containsExactly("a");
  }
}
