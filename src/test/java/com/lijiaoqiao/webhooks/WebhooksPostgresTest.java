package com.lijiaoqiao.webhooks;

import com.lijiaoqiao.testing.Databases;

class WebhooksPostgresTest extends WebhooksContract {
  @Override
  Databases.Kind database() {
    return Databases.Kind.POSTGRES;
  }
}
