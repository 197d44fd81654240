package com.lijiaoqiao.billing;

import com.lijiaoqiao.testing.Databases;

class KillMidStreamPostgresTest extends KillMidStreamContract {
  @Override
  String databaseUrl() {
    return Databases.freshUrl(Databases.Kind.POSTGRES);
  }
}
