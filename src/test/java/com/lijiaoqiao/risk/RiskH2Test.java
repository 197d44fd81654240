package com.lijiaoqiao.risk;

import com.lijiaoqiao.testing.Databases;

class RiskH2Test extends RiskContract {
  @Override
  Databases.Kind database() {
    return Databases.Kind.H2;
  }
}
