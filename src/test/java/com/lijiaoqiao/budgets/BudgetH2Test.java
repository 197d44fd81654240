package com.lijiaoqiao.budgets;

import com.lijiaoqiao.testing.Databases;

class BudgetH2Test extends BudgetContract {
  @Override
  Databases.Kind database() {
    return Databases.Kind.H2;
  }
}
