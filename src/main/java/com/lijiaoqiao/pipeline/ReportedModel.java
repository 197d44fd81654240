package com.lijiaoqiao.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.lijiaoqiao.protocol.SecretScrubber;
import java.util.regex.Pattern;

/**
 * The model name an upstream reports in its answer is upstream text like any other: relayed and stored only
 * when it looks like a model name and holds no credential; otherwise replaced by the upstream model the
 * gateway asked for. The check is a string comparison once a stream's name has been seen.
 */
final class ReportedModel {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._:/@+\\-]{1,128}");

  private ReportedModel() {}

  static boolean acceptable(String name) {
    return name != null && NAME.matcher(name).matches() && SecretScrubber.clean(name);
  }

  /** The JSON object with its top-level {@code model} set to {@code model}; the input when it is not an object. */
  static byte[] rewrite(byte[] json, String model) {
    try {
      if (JSON.readTree(json) instanceof ObjectNode o) {
        o.put("model", model);
        return JSON.writeValueAsBytes(o);
      }
    } catch (java.io.IOException ignored) {
      // not JSON: left as it is (the scanner has already judged it)
    }
    return json;
  }
}
