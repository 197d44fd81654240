package com.lijiaoqiao.providers;

import com.lijiaoqiao.net.AddressGuard;
import com.lijiaoqiao.routing.ProviderDef;

/** Builds the adapter for a provider definition. One line per kind. */
public final class Providers {
  private Providers() {}

  /**
   * An operator's provider: its base URL is trusted, no guard.
   *
   * @param embeddedSimulatorUrl the in-process simulator's OpenAI base URL, or null when none runs
   * @throws IllegalArgumentException for an unknown kind or a bad base URL (message names the provider only)
   */
  public static Provider create(ProviderDef d, String embeddedSimulatorUrl, long connectTimeoutMs,
                                long idleTimeoutMs) {
    return create(d, embeddedSimulatorUrl, connectTimeoutMs, idleTimeoutMs, null);
  }

  /**
   * A provider whose base URL may come from a party we do not trust: every request (traffic and probes) first
   * resolves the host through the guard and connects to the address it judged; a refusal fails the request as a
   * connection failure would. The embedded simulator, used when a simulator kind has no base_url, is the operator's
   * own and is not guarded.
   *
   * @param guard null or {@link AddressGuard#OFF}: none, as {@link #create(ProviderDef, String, long, long)}
   */
  public static Provider create(ProviderDef d, String embeddedSimulatorUrl, long connectTimeoutMs,
                                long idleTimeoutMs, AddressGuard guard) {
    AddressGuard g = d.baseUrl() == null || d.baseUrl().isBlank() ? null : guard;
    return switch (d.kind()) {
      case OpenAiCompatibleProvider.KIND -> new OpenAiCompatibleProvider(d.id(), required(d), d.credential(),
          connectTimeoutMs, idleTimeoutMs, g);
      case SimulatorProvider.KIND -> new SimulatorProvider(d.id(), simulatorBase(d, embeddedSimulatorUrl),
          d.credential(), connectTimeoutMs, idleTimeoutMs, g);
      case SimulatorAnthropicProvider.KIND -> new SimulatorAnthropicProvider(d.id(),
          simulatorBase(d, embeddedSimulatorUrl), d.credential(), connectTimeoutMs, idleTimeoutMs, g);
      case AnthropicProvider.KIND -> new AnthropicProvider(d.id(), required(d), d.credential(), connectTimeoutMs,
          idleTimeoutMs, g);
      case GeminiProvider.KIND -> new GeminiProvider(d.id(), required(d), d.credential(), connectTimeoutMs,
          idleTimeoutMs, g);
      case SimulatorGeminiProvider.KIND -> new SimulatorGeminiProvider(d.id(), simulatorBase(d, embeddedSimulatorUrl),
          d.credential(), connectTimeoutMs, idleTimeoutMs, g);
      default -> throw new IllegalArgumentException("provider '" + d.id() + "' has unknown kind '" + d.kind()
          + "' (use openai-compatible, anthropic, gemini, simulator, simulator-anthropic or simulator-gemini)");
    };
  }

  private static String required(ProviderDef d) {
    if (d.baseUrl() == null || d.baseUrl().isBlank()) {
      throw new IllegalArgumentException("provider '" + d.id() + "' needs a base_url");
    }
    return d.baseUrl();
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
