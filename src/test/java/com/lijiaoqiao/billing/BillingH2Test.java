package com.lijiaoqiao.billing;

import com.lijiaoqiao.testing.Databases;

class BillingH2Test extends BillingContract {
  @Override
  Databases.Kind database() {
    return Databases.Kind.H2;
  }
}
