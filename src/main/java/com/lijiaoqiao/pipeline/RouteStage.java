package com.lijiaoqiao.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.lijiaoqiao.http.ErrorCode;
import com.lijiaoqiao.http.GatewayException;
import com.lijiaoqiao.routing.DecisionRecorder;
import com.lijiaoqiao.routing.Needs;
import com.lijiaoqiao.routing.RouteDecision;
import com.lijiaoqiao.routing.Router;
import com.lijiaoqiao.routing.Scored;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;

/**
 * Resolves the requested model to an ordered plan of providers (in memory, microseconds), lets Relay work
 * through it, then hands the routing decision to the recorder (no I/O here).
 */
public final class RouteStage implements Stage {
  public static final String SESSION_HEADER = "x-ljq-session";

  private final Router router;
  private final DecisionRecorder decisions;

  public RouteStage(Router router, DecisionRecorder decisions) {
    this.router = router;
    this.decisions = decisions;
  }

  @Override
  public Future<Void> process(Exchange ex, Chain chain) {
    String model = ex.parsed.model();
    if (!router.serves(model) || !ex.principal.mayUse(model)) {
      // AuthorizeStage answers this before money is looked at; kept for pipelines without it (count_tokens).
      return Future.failedFuture(AuthorizeStage.notFound(model));
    }
    String sticky = stickyKey(ex);
    List<Scored> plan = router.plan(model, needs(ex), sticky);
    RouteDecision decision = new RouteDecision(ex.requestId, model, plan);
    ex.route = decision;
    if (plan.isEmpty()) {
      decision.outcome = "no_candidate";
      decisions.record(decision);
      return Future.failedFuture(new GatewayException(ErrorCode.ROUTER_001,
          "No provider can serve '" + clip(model) + "' right now (capabilities, or every provider's circuit is open).",
          "当前没有可用的服务商。", Map.of("model", clip(model)), 5));
    }
    ex.target = plan.get(0).candidate().target();
    return chain.proceed(ex).andThen(ar -> {
      decision.outcome = ar.succeeded() ? ex.outcome : ("pending".equals(ex.outcome) ? "failed" : ex.outcome);
      decisions.record(decision);
      if (decision.servedBy != null) router.served(model, sticky, decision.servedBy);
    });
  }

  static String stickyKey(Exchange ex) {
    String s = ex.request.getHeader(SESSION_HEADER);
    if (s != null && !s.isBlank()) return s;
    JsonNode u = ex.parsed.body().get("user");
    if (u != null && u.isTextual() && !u.asText().isEmpty()) return u.asText();
    // Responses clients (Codex) name the conversation for OpenAI's prompt cache: the same hint, for our routing.
    JsonNode k = ex.parsed.body().get("prompt_cache_key");
    return k != null && k.isTextual() && !k.asText().isEmpty() ? k.asText() : null;
  }

  static Needs needs(Exchange ex) {
    JsonNode body = ex.parsed.body();
    JsonNode tools = body.get("tools");
    boolean needsTools = tools != null && tools.isArray() && !tools.isEmpty();
    boolean vision = false;
    JsonNode messages = body.get("messages");
    if (messages != null && messages.isArray()) {
      outer:
      for (JsonNode m : messages) {
        JsonNode content = m.get("content");
        if (content != null && content.isArray()) {
          for (JsonNode part : content) {
            JsonNode type = part.get("type");
            if (type != null && ("image_url".equals(type.asText()) || "image".equals(type.asText()))) {
              vision = true;
              break outer;
            }
          }
        }
      }
    }
    // A cheap upper-bound-ish estimate (~4 bytes per token) for the context-window check.
    return new Needs(ex.stream(), needsTools, vision, ex.rawBody.length / 4);
  }

  private static String clip(String s) {
    return s.length() > 128 ? s.substring(0, 128) + "…" : s;
  }
}
