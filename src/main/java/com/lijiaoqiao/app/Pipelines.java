package com.lijiaoqiao.app;

import com.lijiaoqiao.access.ApiKeySecrets;
import com.lijiaoqiao.access.KeyRegistry;
import com.lijiaoqiao.pipeline.AuthenticateStage;
import com.lijiaoqiao.pipeline.AuthorizeStage;
import com.lijiaoqiao.pipeline.ListModelsStage;
import com.lijiaoqiao.pipeline.RelayStage;
import com.lijiaoqiao.pipeline.RouteStage;
import com.lijiaoqiao.pipeline.Stage;
import com.lijiaoqiao.routing.Backoff;
import com.lijiaoqiao.routing.DecisionRecorder;
import com.lijiaoqiao.routing.Router;
import java.time.Instant;
import java.util.List;

/** The request path's smaller pipelines and the relay stage, built from their rooms (the Gateway wires the main one). */
final class Pipelines {
  private Pipelines() {}

  /** The relay: fail-over, rescue, time limits and fallbacks as routing configures them. */
  static RelayStage relay(GatewayConfig config, Router router) {
    GatewayConfig.Routing rc = config.routing;
    return new RelayStage(new RelayStage.Settings(rc.headersTimeoutMs > 0 ? rc.headersTimeoutMs : rc.firstByteTimeoutMs,
        rc.firstByteTimeoutMs, Math.min(rc.firstTokenTimeoutMs, rc.firstByteTimeoutMs),
        config.upstream.idleTimeoutMs, rc.totalTimeoutMs, rc.maxAttemptsPerProvider,
        new Backoff(rc.backoffBaseMs, rc.backoffMaxMs), Math.max(1024, config.upstream.maxBodyBytes),
        rc.retryAfterMaxWaitMs, RelayStage.Settings.rescue(rc.rescue, rc.rescueOffModels)),
        router, rc.contextFallbacks, new com.lijiaoqiao.pipeline.ModelFallbacks(rc.fallbacks, rc.requestFallbacks));
  }

  static List<Stage> countTokens(KeyRegistry keys, ApiKeySecrets secrets, Router router, DecisionRecorder decisions) {
    return List.of(new AuthenticateStage(keys, secrets), new com.lijiaoqiao.pipeline.AnthropicDecodeStage(true),
        AuthorizeStage.resolving(router::resolve), new RouteStage(router, decisions),
        new com.lijiaoqiao.pipeline.CountTokensStage());
  }

  static List<Stage> geminiCountTokens(KeyRegistry keys, ApiKeySecrets secrets, Router router) {
    return List.of(new AuthenticateStage(keys, secrets), new com.lijiaoqiao.pipeline.GeminiCountTokensStage(),
        AuthorizeStage.resolving(router::resolve), com.lijiaoqiao.pipeline.GeminiCountTokensStage.COUNT);
  }

  static List<Stage> models(KeyRegistry keys, ApiKeySecrets secrets, Router router) {
    return List.of(new AuthenticateStage(keys, secrets),
        new ListModelsStage(router::catalog, Instant.now().getEpochSecond()));
  }
}
