package com.lijiaoqiao.providers;

import com.lijiaoqiao.net.AddressGuard;
import io.vertx.core.http.RequestOptions;

/**
 * The built-in simulator: an OpenAI-compatible upstream that also takes the client's {@code x-ljq-sim}
 * fault-injection header, so tests and demos can steer it through the gateway. Only this kind forwards it.
 */
public final class SimulatorProvider extends OpenAiCompatibleProvider {
  public static final String KIND = "simulator";
  public static final String CONTROL_HEADER = "x-ljq-sim";

  public SimulatorProvider(String id, String baseUrl, String apiKey, long connectTimeoutMs, long idleTimeoutMs) {
    this(id, baseUrl, apiKey, connectTimeoutMs, idleTimeoutMs, null);
  }

  public SimulatorProvider(String id, String baseUrl, String apiKey, long connectTimeoutMs, long idleTimeoutMs,
                           AddressGuard guard) {
    super(id, baseUrl, apiKey == null || apiKey.isEmpty() ? "sim" : apiKey, connectTimeoutMs, idleTimeoutMs, guard);
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  protected void decorate(RequestOptions options, UpstreamCall call) {
    String control = call.clientHeaders() == null ? null : call.clientHeaders().get(CONTROL_HEADER);
    if (control != null) {
      options.putHeader(CONTROL_HEADER, control);
    }
  }
}
