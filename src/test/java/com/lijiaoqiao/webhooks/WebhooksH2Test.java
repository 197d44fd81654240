package com.lijiaoqiao.webhooks;

import com.lijiaoqiao.testing.Databases;

class WebhooksH2Test extends WebhooksContract {
  @Override
  Databases.Kind database() {
    return Databases.Kind.H2;
  }
}
