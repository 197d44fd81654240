package com.lijiaoqiao.routing;

import com.lijiaoqiao.providers.Provider;

/** A provider that serves a public model, and the model's name at that provider. */
public record RouteTarget(Provider provider, String upstreamModel) {}
