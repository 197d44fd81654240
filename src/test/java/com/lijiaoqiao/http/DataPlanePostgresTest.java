package com.lijiaoqiao.http;

import com.lijiaoqiao.testing.Databases;

class DataPlanePostgresTest extends DataPlaneContract {
  @Override
  Databases.Kind database() {
    return Databases.Kind.POSTGRES;
  }
}
