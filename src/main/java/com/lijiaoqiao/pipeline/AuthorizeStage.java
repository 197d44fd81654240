package com.lijiaoqiao.pipeline;

import com.lijiaoqiao.http.ErrorCode;
import com.lijiaoqiao.http.GatewayException;
import io.vertx.core.Future;
import java.util.Map;
import java.util.function.Predicate;

/**
 * May this key ask for this model at all? Runs right after the body is read and before any stage that looks
 * at money, limits or upstreams, so a refused request leaves no reservation, no settlement and no trace of
 * its (caller-chosen) model name in the books — and a key learns nothing from a price it may not pay.
 * An unknown model and one the key may not use get the same 404.
 */
public final class AuthorizeStage implements Stage {
  private final Predicate<String> served;

  /** @param served true when some enabled provider serves the public model */
  public AuthorizeStage(Predicate<String> served) {
    this.served = served;
  }

  @Override
  public Future<Void> process(Exchange ex, Chain chain) {
    String model = ex.parsed.model();
    if (!served.test(model) || !ex.principal.mayUse(model)) {
      return Future.failedFuture(notFound(model));
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
