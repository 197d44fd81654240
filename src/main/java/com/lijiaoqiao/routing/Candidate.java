package com.lijiaoqiao.routing;

import com.lijiaoqiao.providers.Provider;

/** One provider able to serve one public model: its definition, adapter, live state and upstream model name. */
public record Candidate(ProviderDef def, Provider provider, ProviderState state, RouteTarget target) {
  public String id() {
    return def.id();
  }
}
