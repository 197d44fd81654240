package com.lijiaoqiao.billing;

import com.lijiaoqiao.testing.Databases;

class ClientDisconnectH2Test extends ClientDisconnectContract {
  @Override
  Databases.Kind database() {
    return Databases.Kind.H2;
  }
}
