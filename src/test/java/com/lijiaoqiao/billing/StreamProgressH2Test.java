package com.lijiaoqiao.billing;

import com.lijiaoqiao.testing.Databases;

class StreamProgressH2Test extends StreamProgressContract {
  @Override
  Databases.Kind database() {
    return Databases.Kind.H2;
  }
}
