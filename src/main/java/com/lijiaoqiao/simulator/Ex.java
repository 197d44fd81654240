package com.lijiaoqiao.simulator;

import io.vertx.core.http.HttpServerRequest;

/** Per-request exchange state shared by the dialect handlers. */
final class Ex {
  enum Dialect { OPENAI, ANTHROPIC, GEMINI }

  final HttpServerRequest req;
  final Dialect dialect;
  Directives d = Directives.NONE;
  /** Effective fault after times/key resolution, or null. */
  String fault;
  /** Requested model with any "::directives" suffix removed. */
  String model;

  Ex(HttpServerRequest req, Dialect dialect) {
    this.req = req;
    this.dialect = dialect;
  }

  boolean anthropic() {
    return dialect == Dialect.ANTHROPIC;
  }

  boolean gemini() {
    return dialect == Dialect.GEMINI;
  }

  boolean is(String f) {
    return f.equals(fault);
  }
}
