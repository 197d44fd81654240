package com.lijiaoqiao.storage;

import com.lijiaoqiao.testing.Databases;

class ArchiveH2Test extends ArchiveContract {
  @Override
  Databases.Kind database() {
    return Databases.Kind.H2;
  }
}
