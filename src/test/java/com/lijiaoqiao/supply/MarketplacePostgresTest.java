package com.lijiaoqiao.supply;

import com.lijiaoqiao.testing.Databases;

class MarketplacePostgresTest extends MarketplaceContract {
  @Override
  Databases.Kind database() {
    return Databases.Kind.POSTGRES;
  }
}
