package com.lijiaoqiao.pipeline;

import com.lijiaoqiao.http.ErrorCode;
import com.lijiaoqiao.http.GatewayException;
import com.lijiaoqiao.routing.ModelCatalog;
import io.vertx.core.Future;
import java.util.Map;
import java.util.function.Supplier;

/** Resolves the requested model to a provider the key may use. */
public final class RouteStage implements Stage {
  private final Supplier<ModelCatalog> catalog;

  public RouteStage(Supplier<ModelCatalog> catalog) {
    this.catalog = catalog;
  }

  @Override
  public Future<Void> process(Exchange ex, Chain chain) {
    String model = ex.parsed.model();
    ModelCatalog.ModelInfo info = catalog.get().find(model);
    if (info == null || !ex.principal.mayUse(model)) {
      // Same answer for "no such model" and "not for this key": a key learns nothing about the catalogue.
      return Future.failedFuture(new GatewayException(ErrorCode.PROVIDER_004,
          "The model '" + clip(model) + "' does not exist or this key may not use it; GET /v1/models lists yours.",
          "模型 '" + clip(model) + "' 不存在或当前密钥无权使用。", Map.of("model", clip(model)), null));
    }
    if (info.targets().isEmpty()) {
      return Future.failedFuture(new GatewayException(ErrorCode.ROUTER_001, null));
    }
    ex.target = info.targets().get(0);
    return chain.proceed(ex);
  }

  private static String clip(String s) {
    return s.length() > 128 ? s.substring(0, 128) + "…" : s;
  }
}
