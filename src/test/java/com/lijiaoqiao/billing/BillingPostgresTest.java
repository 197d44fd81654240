package com.lijiaoqiao.billing;

import com.lijiaoqiao.testing.Databases;

class BillingPostgresTest extends BillingContract {
  @Override
  Databases.Kind database() {
    return Databases.Kind.POSTGRES;
  }
}
