package com.lijiaoqiao.events;

import com.lijiaoqiao.testing.Databases;

class OutboxPostgresTest extends OutboxContract {
  @Override
  Databases.Kind database() {
    return Databases.Kind.POSTGRES;
  }
}
