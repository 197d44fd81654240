package com.lijiaoqiao.conformance;

/** {@link TwoDialectGateway} for tests in other packages: the root URL, a platform key, the upstream models. */
public final class TwoDialectGatewayAccess implements AutoCloseable {
  private final TwoDialectGateway gw = new TwoDialectGateway();

  public String root() {
    return gw.root();
  }

  public String apiKey() {
    return gw.gateway.apiKey;
  }

  @Override
  public void close() {
    gw.close();
  }
}
