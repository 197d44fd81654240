package com.lijiaoqiao.billing;

class KillMidStreamH2Test extends KillMidStreamContract {
  @Override
  String databaseUrl() {
    return "";
  }
}
