package com.lijiaoqiao.providers;

import com.lijiaoqiao.routing.ProviderDef;

/** Builds the adapter for a provider definition. One line per kind. */
public final class Providers {
  private Providers() {}

  /**
   * @param embeddedSimulatorUrl the in-process simulator's OpenAI base URL, or null when none runs
   * @throws IllegalArgumentException for an unknown kind or a bad base URL (message names the provider only)
   */
  public static Provider create(ProviderDef d, String embeddedSimulatorUrl, long connectTimeoutMs,
                                long idleTimeoutMs) {
    return switch (d.kind()) {
      case OpenAiCompatibleProvider.KIND -> {
        if (d.baseUrl() == null || d.baseUrl().isBlank()) {
          throw new IllegalArgumentException("provider '" + d.id() + "' needs a base_url");
        }
        yield new OpenAiCompatibleProvider(d.id(), d.baseUrl(), d.credential(), connectTimeoutMs, idleTimeoutMs);
      }
      case SimulatorProvider.KIND -> new SimulatorProvider(d.id(), simulatorBase(d, embeddedSimulatorUrl),
          d.credential(), connectTimeoutMs, idleTimeoutMs);
      case SimulatorAnthropicProvider.KIND -> new SimulatorAnthropicProvider(d.id(),
          simulatorBase(d, embeddedSimulatorUrl), d.credential(), connectTimeoutMs, idleTimeoutMs);
      case AnthropicProvider.KIND -> {
        if (d.baseUrl() == null || d.baseUrl().isBlank()) {
          throw new IllegalArgumentException("provider '" + d.id() + "' needs a base_url");
        }
        yield new AnthropicProvider(d.id(), d.baseUrl(), d.credential(), connectTimeoutMs, idleTimeoutMs);
      }
      case GeminiProvider.KIND -> {
        if (d.baseUrl() == null || d.baseUrl().isBlank()) {
          throw new IllegalArgumentException("provider '" + d.id() + "' needs a base_url");
        }
        yield new GeminiProvider(d.id(), d.baseUrl(), d.credential(), connectTimeoutMs, idleTimeoutMs);
      }
      case SimulatorGeminiProvider.KIND -> new SimulatorGeminiProvider(d.id(), simulatorBase(d, embeddedSimulatorUrl),
          d.credential(), connectTimeoutMs, idleTimeoutMs);
      default -> throw new IllegalArgumentException("provider '" + d.id() + "' has unknown kind '" + d.kind()
          + "' (use openai-compatible, anthropic, gemini, simulator, simulator-anthropic or simulator-gemini)");
    };
  }

  /** A simulator's own base_url, else the embedded simulator's (the Anthropic adapter drops a trailing /v1). */
  private static String simulatorBase(ProviderDef d, String embeddedSimulatorUrl) {
    String base = d.baseUrl();
    if (base != null && !base.isBlank()) return base;
    if (embeddedSimulatorUrl == null) {
      throw new IllegalArgumentException("provider '" + d.id()
          + "' is a simulator without base_url, but simulator.enabled is false");
    }
    return embeddedSimulatorUrl;
  }
}
