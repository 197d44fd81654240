package com.lijiaoqiao.app;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads {@link GatewayConfig}: defaults, then the YAML file (with ${VAR} and ${VAR:-default} expanded from
 * the environment), then LJQ_* environment variables for every scalar setting.
 */
public final class ConfigLoader {
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  private static final Pattern VAR = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?}");

  private ConfigLoader() {}

  public static GatewayConfig load(Path file, Map<String, String> env) {
    try {
      ObjectNode tree = YAML.valueToTree(new GatewayConfig());
      if (file != null) {
        if (!Files.isRegularFile(file)) {
          throw new ConfigException("config file not found: " + file);
        }
        String text = expand(Files.readString(file), env);
        JsonNode fromFile = YAML.readTree(text);
        if (fromFile != null && fromFile.isObject()) {
          merge(tree, (ObjectNode) fromFile);
        } else if (fromFile != null && !fromFile.isMissingNode() && !fromFile.isNull()) {
          throw new ConfigException(file + ": the top level must be a mapping of settings");
        }
      }
      applyEnv(tree, "LJQ", env);
      return YAML.treeToValue(tree, GatewayConfig.class);
    } catch (IOException e) {
      throw new ConfigException("cannot read configuration" + (file != null ? " " + file : "") + ": "
          + e.getMessage().split("\n")[0]);
    }
  }

  static String expand(String text, Map<String, String> env) {
    Matcher m = VAR.matcher(text);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String v = env.get(m.group(1));
      if (v == null) v = m.group(3) != null ? m.group(3) : "";
      m.appendReplacement(sb, Matcher.quoteReplacement(v));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  private static void merge(ObjectNode into, ObjectNode from) {
    Iterator<Map.Entry<String, JsonNode>> it = from.fields();
    while (it.hasNext()) {
      var e = it.next();
      JsonNode existing = into.get(e.getKey());
      if (existing instanceof ObjectNode eo && e.getValue() instanceof ObjectNode fo && !"models".equals(e.getKey())) {
        merge(eo, fo);
      } else {
        into.set(e.getKey(), e.getValue());
      }
    }
  }

  private static void applyEnv(ObjectNode node, String prefix, Map<String, String> env) {
    Iterator<Map.Entry<String, JsonNode>> it = node.fields();
    while (it.hasNext()) {
      var e = it.next();
      String name = prefix + "_" + e.getKey().toUpperCase();
      JsonNode v = e.getValue();
      if (v instanceof ObjectNode child) {
        applyEnv(child, name, env);
      } else if (!v.isArray() && env.containsKey(name)) {
        String raw = env.get(name);
        if (v.isInt() || v.isLong()) {
          try {
            node.put(e.getKey(), Long.parseLong(raw.trim()));
          } catch (NumberFormatException ex) {
            throw new ConfigException(name + " must be a whole number, not '" + raw + "'");
          }
        } else if (v.isBoolean()) {
          node.put(e.getKey(), Boolean.parseBoolean(raw.trim()));
        } else {
          node.put(e.getKey(), raw);
        }
      }
    }
  }

  /** A configuration problem, reported to the operator in one line. */
  public static final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
      super(message);
    }
  }
}
