package com.lijiaoqiao.billing;

import com.lijiaoqiao.testing.Databases;

class SetAsideH2Test extends SetAsideContract {
  @Override
  Databases.Kind database() {
    return Databases.Kind.H2;
  }
}
