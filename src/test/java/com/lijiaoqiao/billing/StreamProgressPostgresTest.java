package com.lijiaoqiao.billing;

import com.lijiaoqiao.testing.Databases;

class StreamProgressPostgresTest extends StreamProgressContract {
  @Override
  Databases.Kind database() {
    return Databases.Kind.POSTGRES;
  }
}
