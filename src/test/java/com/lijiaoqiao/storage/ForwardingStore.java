package com.lijiaoqiao.storage;

import java.net.URL;
import java.time.Duration;
import java.util.List;

/** Passes every call to a real store; tests override one call to act on the real server around it. */
class ForwardingStore implements ObjectStore {
  private final ObjectStore real;

  ForwardingStore(ObjectStore real) {
    this.real = real;
  }

  @Override
  public void put(String key, byte[] bytes, String contentType) {
    real.put(key, bytes, contentType);
  }

  @Override
  public byte[] get(String key) {
    return real.get(key);
  }

  @Override
  public List<Listed> list(String prefix, int max) {
    return real.list(prefix, max);
  }

  @Override
  public void delete(List<String> keys) {
    real.delete(keys);
  }

  @Override
  public URL presignGet(String key, Duration ttl, String downloadName) {
    return real.presignGet(key, ttl, downloadName);
  }

  @Override
  public void check() {
    real.check();
  }

  @Override
  public void close() {}
}
