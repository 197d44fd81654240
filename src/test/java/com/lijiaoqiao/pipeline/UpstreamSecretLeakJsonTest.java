package com.lijiaoqiao.pipeline;

import org.junit.jupiter.api.BeforeAll;

/** {@link UpstreamSecretLeakTest} with logging.format json: the access lines and JSON-encoded events scanned too. */
class UpstreamSecretLeakJsonTest extends UpstreamSecretLeakTest {
  @BeforeAll
  static void start() throws Exception { // hides the text variant's
    startWith(true);
  }
}
