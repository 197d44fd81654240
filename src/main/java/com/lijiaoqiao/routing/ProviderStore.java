package com.lijiaoqiao.routing;

import java.util.List;

/** Persistence of admin-managed providers (store/ProviderRepository). {@code credential} is stored encrypted. */
public interface ProviderStore {
  List<ProviderDef> loadAll();

  /** Changes whenever a provider is added, changed or removed (what other nodes poll). */
  String signature();

  void insert(ProviderDef encrypted);

  boolean update(ProviderDef encrypted);

  boolean delete(String id);
}
