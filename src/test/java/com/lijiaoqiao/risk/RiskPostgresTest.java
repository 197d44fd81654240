package com.lijiaoqiao.risk;

import com.lijiaoqiao.testing.Databases;

class RiskPostgresTest extends RiskContract {
  @Override
  Databases.Kind database() {
    return Databases.Kind.POSTGRES;
  }
}
