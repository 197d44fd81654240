package com.lijiaoqiao.billing;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Current prices, in memory. A request takes its price once, when it is reserved, so a change applies only
 * to requests that start after it.
 */
public final class PriceBook {
  private final Map<String, ModelPrice> prices = new ConcurrentHashMap<>();

  public ModelPrice priceOf(String model) {
    ModelPrice p = prices.get(model);
    return p != null ? p : ModelPrice.free(model);
  }

  public ModelPrice find(String model) {
    return prices.get(model);
  }

  public void put(ModelPrice price) {
    prices.put(price.model(), price);
  }

  public Map<String, ModelPrice> all() {
    return Map.copyOf(prices);
  }
}
