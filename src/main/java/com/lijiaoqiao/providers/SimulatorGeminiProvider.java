package com.lijiaoqiao.providers;

import com.lijiaoqiao.net.AddressGuard;
import io.vertx.core.http.RequestOptions;

/**
 * The built-in simulator spoken to in its Gemini dialect ({@code /v1beta/models/…}): what the demo serves Gemini
 * models through, so Gemini clients get byte passthrough as from Google. Like {@link SimulatorProvider} it forwards
 * the client's {@code x-ljq-sim} fault-injection header.
 */
public final class SimulatorGeminiProvider extends GeminiProvider {
  public static final String KIND = "simulator-gemini";

  public SimulatorGeminiProvider(String id, String baseUrl, String apiKey, long connectTimeoutMs, long idleTimeoutMs) {
    this(id, baseUrl, apiKey, connectTimeoutMs, idleTimeoutMs, null);
  }

  public SimulatorGeminiProvider(String id, String baseUrl, String apiKey, long connectTimeoutMs, long idleTimeoutMs,
                                 AddressGuard guard) {
    super(id, stripV1(baseUrl), apiKey == null || apiKey.isEmpty() ? "sim" : apiKey, connectTimeoutMs, idleTimeoutMs,
        guard);
  }

  /** The embedded simulator's URL is its OpenAI base ({@code …/v1}); Gemini paths start at the root. */
  private static String stripV1(String base) {
    String b = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    return b.endsWith("/v1") ? b.substring(0, b.length() - 3) : b;
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
