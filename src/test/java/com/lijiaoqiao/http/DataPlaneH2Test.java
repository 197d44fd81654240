package com.lijiaoqiao.http;

import com.lijiaoqiao.testing.Databases;

class DataPlaneH2Test extends DataPlaneContract {
  @Override
  Databases.Kind database() {
    return Databases.Kind.H2;
  }
}
