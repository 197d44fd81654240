package com.lijiaoqiao.routing;

import com.lijiaoqiao.providers.Provider;

/**
 * A provider that serves a public model, and the model's name at that provider; {@code offer} is the marketplace
 * package behind it, or null for a provider the operator configured.
 */
public record RouteTarget(Provider provider, String upstreamModel, SupplyOffer offer) {
  public RouteTarget(Provider provider, String upstreamModel) {
    this(provider, upstreamModel, null);
  }
}
