package com.lijiaoqiao.storage;

import com.lijiaoqiao.testing.Databases;

class ArchivePostgresTest extends ArchiveContract {
  @Override
  Databases.Kind database() {
    return Databases.Kind.POSTGRES;
  }
}
