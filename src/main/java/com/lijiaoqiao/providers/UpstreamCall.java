package com.lijiaoqiao.providers;

import com.lijiaoqiao.protocol.Endpoint;
import io.vertx.core.MultiMap;

/** One attempt at an upstream: what to call and with which body (already in the upstream's model naming). */
public record UpstreamCall(Endpoint endpoint, String upstreamModel, byte[] body, boolean stream, String requestId,
                           MultiMap clientHeaders) {}
