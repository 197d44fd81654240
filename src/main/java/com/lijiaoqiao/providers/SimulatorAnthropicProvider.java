package com.lijiaoqiao.providers;

import com.lijiaoqiao.net.AddressGuard;
import io.vertx.core.http.RequestOptions;

/**
 * The built-in simulator spoken to in its Anthropic dialect ({@code /v1/messages}): what the demo serves Claude
 * models through, so Anthropic clients get byte passthrough as from api.anthropic.com. Like {@link SimulatorProvider}
 * it forwards the client's {@code x-ljq-sim} fault-injection header.
 */
public final class SimulatorAnthropicProvider extends AnthropicProvider {
  public static final String KIND = "simulator-anthropic";

  public SimulatorAnthropicProvider(String id, String baseUrl, String apiKey, long connectTimeoutMs,
                                    long idleTimeoutMs) {
    this(id, baseUrl, apiKey, connectTimeoutMs, idleTimeoutMs, null);
  }

  public SimulatorAnthropicProvider(String id, String baseUrl, String apiKey, long connectTimeoutMs,
                                    long idleTimeoutMs, AddressGuard guard) {
    super(id, baseUrl, apiKey == null || apiKey.isEmpty() ? "sim" : apiKey, connectTimeoutMs, idleTimeoutMs, guard);
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  protected void decorate(RequestOptions options, UpstreamCall call) {
    String control = call.clientHeaders() == null ? null : call.clientHeaders().get(SimulatorProvider.CONTROL_HEADER);
    if (control != null) options.putHeader(SimulatorProvider.CONTROL_HEADER, control);
  }
}
