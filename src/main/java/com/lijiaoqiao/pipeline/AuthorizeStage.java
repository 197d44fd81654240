package com.lijiaoqiao.pipeline;

import com.lijiaoqiao.http.ErrorCode;
import com.lijiaoqiao.http.GatewayException;
import io.vertx.core.Future;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * May this key ask for this model at all? Runs right after the body is read and before any stage that looks
 * at money, limits or upstreams, so a refused request leaves no reservation, no settlement and no trace of
 * its (caller-chosen) model name in the books — and a key learns nothing from a price it may not pay.
 * An unknown model and one the key may not use get the same 404.
 */
public final class AuthorizeStage implements Stage {
  private final UnaryOperator<String> resolve;

  /** @param served true when some enabled provider serves the public model (no aliases) */
  public AuthorizeStage(Predicate<String> served) {
    this.resolve = m -> served.test(m) ? m : null;
  }

  /**
   * @param resolve the served public model a requested name stands for (itself, or an alias's target), or null
   */
  public static AuthorizeStage resolving(UnaryOperator<String> resolve) {
    return new AuthorizeStage(resolve);
  }

  private AuthorizeStage(UnaryOperator<String> resolve) {
    this.resolve = resolve;
  }

  @Override
  public Future<Void> process(Exchange ex, Chain chain) {
    String requested = ex.parsed.model();
    String model = resolve.apply(requested);
    // A key's model list names configured models: an alias is allowed exactly when its target is.
    if (model == null || !ex.principal.mayUse(model)) {
      return Future.failedFuture(notFound(requested));
    }
    if (!model.equals(requested)) {
      // From here on the request is for the configured model: priced, limited, routed and recorded as such.
      ex.requestedModel = requested;
      ex.parsed = ex.parsed.withModel(model);
      ex.request.response().headers().set("x-ljq-model", model);
    }
    return chain.proceed(ex);
  }

  static GatewayException notFound(String model) {
    String m = model.length() > 128 ? model.substring(0, 128) + "…" : model;
    return new GatewayException(ErrorCode.PROVIDER_004,
        "The model '" + m + "' does not exist or this key may not use it; GET /v1/models lists yours.",
        "模型 '" + m + "' 不存在或当前密钥无权使用。", Map.of("model", m), null);
  }
}
