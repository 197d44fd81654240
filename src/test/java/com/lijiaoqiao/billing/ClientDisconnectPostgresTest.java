package com.lijiaoqiao.billing;

import com.lijiaoqiao.testing.Databases;

class ClientDisconnectPostgresTest extends ClientDisconnectContract {
  @Override
  Databases.Kind database() {
    return Databases.Kind.POSTGRES;
  }
}
