package com.lijiaoqiao.billing;

import com.lijiaoqiao.testing.Databases;

class SetAsidePostgresTest extends SetAsideContract {
  @Override
  Databases.Kind database() {
    return Databases.Kind.POSTGRES;
  }
}
