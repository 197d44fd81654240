package com.lijiaoqiao.conformance;

import com.lijiaoqiao.app.GatewayConfig;
import java.util.Map;

/**
 * The upstream kinds the conformance suite runs against, each pointed at the simulator speaking that dialect.
 * Adding a vendor: write its adapter class, then add one line here.
 */
public enum UpstreamKind {
  OPENAI_COMPATIBLE("openai-compatible", "/v1", "gpt-4o-mini", true),
  ANTHROPIC("anthropic", "", "claude-sonnet-4-5", false),
  GEMINI("gemini", "", "gemini-2.5-flash", false);

  /** Upstream faults by scenario name → simulator directive (sent as the model-name suffix). */
  static final Map<String, String> FAULTS = Map.of(
      "401", "fault=401",
      "429", "fault=429",
      "500", "fault=500",
      "timeout", "fault=hang",
      "reset", "fault=reset",
      "malformed", "fault=bad_body",
      "cut", "fault=cut,after=3",
      "malformed-event", "fault=malformed,after=2",
      "parallel", "tool_call=2");

  final String kind;
  final String pathSuffix;
  final String upstreamModel;
  final boolean embeddings;

  UpstreamKind(String kind, String pathSuffix, String upstreamModel, boolean embeddings) {
    this.kind = kind;
    this.pathSuffix = pathSuffix;
    this.upstreamModel = upstreamModel;
    this.embeddings = embeddings;
  }

  /** Public model names: "<kind>/chat", "<kind>/embed", "<kind>/<fault>". */
  String model(String what) {
    return kind + "/" + what;
  }

  GatewayConfig.ProviderSpec provider(String simulatorBaseUrl) {
    GatewayConfig.ProviderSpec p = new GatewayConfig.ProviderSpec();
    p.id = "up-" + kind;
    p.kind = kind;
    p.baseUrl = simulatorBaseUrl + pathSuffix;
    p.apiKey = "upstream-secret";
    p.models.put(model("chat"), upstreamModel);
    p.models.put(model("embed"), "text-embedding-3-small");
    FAULTS.forEach((name, directive) -> p.models.put(model(name), upstreamModel + "::" + directive));
    return p;
  }
}
