package com.lijiaoqiao.app;

import com.lijiaoqiao.testing.Databases;

class ReconcilePostgresTest extends ReconcileContract {
  @Override
  Databases.Kind database() {
    return Databases.Kind.POSTGRES;
  }
}
