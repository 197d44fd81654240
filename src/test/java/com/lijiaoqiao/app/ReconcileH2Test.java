package com.lijiaoqiao.app;

import com.lijiaoqiao.testing.Databases;

class ReconcileH2Test extends ReconcileContract {
  @Override
  Databases.Kind database() {
    return Databases.Kind.H2;
  }
}
