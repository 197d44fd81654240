package com.lijiaoqiao.events;

import com.lijiaoqiao.testing.Databases;

class OutboxH2Test extends OutboxContract {
  @Override
  Databases.Kind database() {
    return Databases.Kind.H2;
  }
}
