package com.lijiaoqiao.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;

/** OpenAI dialect: {@code /v1/embeddings} (deterministic unit vectors per input). */
final class OpenAiEmbeddings {
  private final SimHandler h;

  OpenAiEmbeddings(SimHandler h) {
    this.h = h;
  }

  void embeddings(Ex ex, JsonNode body) {
    OpenAiApi.requireModel(ex);
    if (h.preFault(ex)) {
      return;
    }
    JsonNode in = body.get("input");
    if (in == null || in.isNull() || (in.isArray() && in.isEmpty())) {
      throw new SimHandler.BadRequest("'input' must be a non-empty string or array", "input");
    }
    int nativeDim = SimCatalog.embeddingDimensions(ex.model);
    int dim = OpenAiApi.intField(body, "dimensions");
    if (body.has("dimensions") && (dim < 1 || dim > nativeDim)) {
      throw new SimHandler.BadRequest("'dimensions' must be between 1 and " + nativeDim, "dimensions");
    }
    if (dim < 1) {
      dim = nativeDim;
    }
    String fmt = body.path("encoding_format").asText("float");
    if (!fmt.equals("float") && !fmt.equals("base64")) {
      throw new SimHandler.BadRequest("'encoding_format' must be 'float' or 'base64'", "encoding_format");
    }
    boolean b64 = fmt.equals("base64");
    List<Long> seeds = new ArrayList<>();
    int tokens = 0;
    if (in.isTextual()) {
      seeds.add(TextGen.hash(TextGen.SEED, in.asText()));
      tokens += TextGen.count(TextGen.CL100K, in.asText());
    } else if (in.isArray() && in.get(0).isNumber()) {
      long hh = TextGen.SEED;
      for (JsonNode t : in) {
        hh = TextGen.mix(hh + t.asLong());
      }
      seeds.add(hh);
      tokens += in.size();
    } else if (in.isArray()) {
      for (JsonNode x : in) {
        if (x.isTextual()) {
          seeds.add(TextGen.hash(TextGen.SEED, x.asText()));
          tokens += TextGen.count(TextGen.CL100K, x.asText());
        } else if (x.isArray()) {
          long hh = TextGen.SEED;
          for (JsonNode t : x) {
            hh = TextGen.mix(hh + t.asLong());
          }
          seeds.add(hh);
          tokens += x.size();
        } else {
          throw new SimHandler.BadRequest("'input' array items must be strings or token arrays", "input");
        }
      }
    } else {
      throw new SimHandler.BadRequest("'input' must be a string or an array", "input");
    }
    if (tokens > SimCatalog.contextWindow(ex.model) * (long) Math.max(1, seeds.size())) {
      h.later(ex.d.latency, () -> h.contextLength(ex, -1));
      return;
    }
    int d = dim;
    int total = tokens;
    Buffer out = JsonOut.write(64 + seeds.size() * d * (b64 ? 6 : 12), null, g -> {
      g.writeStartObject();
      g.writeStringField("object", "list");
      g.writeArrayFieldStart("data");
      float[] v = new float[d];
      ByteBuffer bb = b64 ? ByteBuffer.allocate(d * 4).order(ByteOrder.LITTLE_ENDIAN) : null;
      for (int i = 0; i < seeds.size(); i++) {
        vector(seeds.get(i), v);
        g.writeStartObject();
        g.writeStringField("object", "embedding");
        g.writeNumberField("index", i);
        if (b64) {
          bb.clear();
          for (float f : v) {
            bb.putFloat(f);
          }
          g.writeStringField("embedding", Base64.getEncoder().encodeToString(bb.array()));
        } else {
          g.writeArrayFieldStart("embedding");
          for (float f : v) {
            g.writeNumber(f);
          }
          g.writeEndArray();
        }
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeStringField("model", ex.model);
      g.writeObjectFieldStart("usage");
      g.writeNumberField("prompt_tokens", total);
      g.writeNumberField("total_tokens", total);
      g.writeEndObject();
      g.writeEndObject();
    }, null);
    h.deliverJson(ex, out);
  }

  /**
   * Deterministic unit vector. The first k components are the same for any dimension, so a shortened vector equals the
   * re-normalised prefix of the full one (like OpenAI's {@code dimensions}).
   */
  static void vector(long seed, float[] v) {
    SplittableRandom r = new SplittableRandom(TextGen.mix(seed));
    double sum = 0;
    for (int i = 0; i < v.length; i++) {
      double x = r.nextDouble() * 2 - 1;
      v[i] = (float) x;
      sum += x * x;
    }
    float inv = (float) (1.0 / Math.sqrt(sum));
    for (int i = 0; i < v.length; i++) {
      v[i] *= inv;
    }
  }
}
