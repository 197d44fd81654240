package com.lijiaoqiao.supply;

import com.lijiaoqiao.testing.Databases;

class MarketplaceH2Test extends MarketplaceContract {
  @Override
  Databases.Kind database() {
    return Databases.Kind.H2;
  }
}
