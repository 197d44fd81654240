package com.lijiaoqiao.routing;

import com.lijiaoqiao.providers.Provider;

/**
 * One provider able to serve one public model: its definition, adapter, live state, the model's lane on that
 * provider (breaker, cool-down) and the upstream model name.
 */
public record Candidate(ProviderDef def, Provider provider, ProviderState state, ModelLane lane, RouteTarget target) {
  public String id() {
    return def.id();
  }
}
