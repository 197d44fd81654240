package com.lijiaoqiao.budgets;

import com.lijiaoqiao.testing.Databases;

class BudgetPostgresTest extends BudgetContract {
  @Override
  Databases.Kind database() {
    return Databases.Kind.POSTGRES;
  }
}
