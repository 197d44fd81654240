package com.lijiaoqiao.identity;

import com.lijiaoqiao.testing.Databases;

class IdentityPostgresTest extends IdentityContract {
  @Override
  Databases.Kind database() {
    return Databases.Kind.POSTGRES;
  }
}
