package com.lijiaoqiao.identity;

import com.lijiaoqiao.testing.Databases;

class IdentityH2Test extends IdentityContract {
  @Override
  Databases.Kind database() {
    return Databases.Kind.H2;
  }
}
