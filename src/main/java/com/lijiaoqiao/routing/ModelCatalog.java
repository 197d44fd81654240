package com.lijiaoqiao.routing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The public model names clients may ask for and the providers serving each, in configured order.
 * Immutable: a configuration change builds a new catalogue and swaps it in.
 */
public final class ModelCatalog {
  public record ModelInfo(String name, String ownedBy, List<RouteTarget> targets) {}

  private final Map<String, ModelInfo> models;

  private ModelCatalog(Map<String, ModelInfo> models) {
    this.models = models;
  }

  public static Builder builder() {
    return new Builder();
  }

  public ModelInfo find(String model) {
    return models.get(model);
  }

  public List<ModelInfo> all() {
    return List.copyOf(models.values());
  }

  public static final class Builder {
    private final Map<String, List<RouteTarget>> targets = new LinkedHashMap<>();
    private final Map<String, String> owners = new LinkedHashMap<>();

    public Builder add(String publicModel, RouteTarget target, String ownedBy) {
      targets.computeIfAbsent(publicModel, k -> new ArrayList<>()).add(target);
      owners.putIfAbsent(publicModel, ownedBy);
      return this;
    }

    public ModelCatalog build() {
      Map<String, ModelInfo> out = new LinkedHashMap<>();
      targets.forEach((name, list) ->
          out.put(name, new ModelInfo(name, owners.get(name), Collections.unmodifiableList(list))));
      return new ModelCatalog(Collections.unmodifiableMap(out));
    }
  }
}
