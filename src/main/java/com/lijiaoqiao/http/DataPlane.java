package com.lijiaoqiao.http;

import com.lijiaoqiao.pipeline.Exchange;
import com.lijiaoqiao.pipeline.Stage;
import com.lijiaoqiao.protocol.Endpoint;
import io.vertx.core.Future;
import java.util.List;

/** What the HTTP layer needs from the rest of the gateway: the pipelines to run. */
public interface DataPlane {
  /** Stages for a relayed call (chat, completions, embeddings). */
  List<Stage> relayPipeline();

  /** Stages for POST /v1/messages/count_tokens (authenticate, decode, route, count). */
  List<Stage> countTokensPipeline();

  /** Stages for POST /v1beta/models/{model}:countTokens (authenticate, decode, authorize, count). */
  List<Stage> geminiCountTokensPipeline();

  /** Stages for GET /v1/models (authenticate, then list). */
  List<Stage> modelsPipeline();

  /** Stages for GET/DELETE /v1/responses/{id} (authenticate, then the stored response). */
  default List<Stage> storedResponsesPipeline() {
    return List.of((ex, chain) -> com.lijiaoqiao.pipeline.StoredResponsesStage.NOT_FOUND.process(ex, chain));
  }

  /** Stages for a /v1/… path nothing serves: authenticate (a bad key is a 401, not a 404), then 404. */
  default List<Stage> unknownPathPipeline() {
    return List.of(com.lijiaoqiao.pipeline.StoredResponsesStage.NOT_FOUND);
  }

  /** Operational endpoints (metrics, probes, the API description): checked before everything else. */
  default OpsRoutes ops() {
    return new OpsRoutes();
  }

  /** The management API (users, keys, billing, admin …). */
  ApiRouter api();

  /** Called once per accepted request and once when it has ended, for graceful shutdown. */
  void begin();

  void end();

  static Future<Void> run(List<Stage> stages, Exchange ex) {
    return com.lijiaoqiao.pipeline.Chain.start(stages, ex);
  }

  static Endpoint endpointOf(String path) {
    for (Endpoint e : Endpoint.values()) {
      if (e.path.equals(path)) return e;
    }
    return null;
  }
}
