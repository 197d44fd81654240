package com.lijiaoqiao.simulator;

import com.fasterxml.jackson.core.JsonGenerator;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.util.List;

/** The Gemini models the Gemini dialect advertises ({@code GET /v1beta/models}); any other id is still served. */
final class GeminiModels {
  record Model(String id, String displayName, int inputLimit, int outputLimit, boolean thinking) {}

  static final List<Model> MODELS = List.of(
      new Model("gemini-2.5-pro", "Gemini 2.5 Pro", 1_048_576, 65_536, true),
      new Model("gemini-2.5-flash", "Gemini 2.5 Flash", 1_048_576, 65_536, true),
      new Model("gemini-2.5-flash-lite", "Gemini 2.5 Flash-Lite", 1_048_576, 65_536, true),
      new Model("gemini-2.0-flash", "Gemini 2.0 Flash", 1_048_576, 8_192, false));

  private static final byte[] LIST = JsonOut.write(g -> {
    g.writeStartObject();
    g.writeArrayFieldStart("models");
    for (Model m : MODELS) {
      model(g, m);
    }
    g.writeEndArray();
    g.writeEndObject();
  }).getBytes();

  private GeminiModels() {}

  static Model find(String id) {
    for (Model m : MODELS) {
      if (m.id().equals(id)) {
        return m;
      }
    }
    return new Model(id, id, SimCatalog.contextWindow(id), 8_192, false);
  }

  /** The input token limit: 1M for the Gemini models, the catalogue's context window otherwise. */
  static int inputLimit(String id) {
    return find(id == null ? "" : id).inputLimit();
  }

  static Buffer list() {
    return Buffer.buffer(LIST);
  }

  static Buffer one(String id) {
    return JsonOut.write(g -> model(g, find(id)));
  }

  private static void model(JsonGenerator g, Model m) throws IOException {
    g.writeStartObject();
    g.writeStringField("name", "models/" + m.id());
    g.writeStringField("version", "001");
    g.writeStringField("displayName", m.displayName());
    g.writeNumberField("inputTokenLimit", m.inputLimit());
    g.writeNumberField("outputTokenLimit", m.outputLimit());
    g.writeArrayFieldStart("supportedGenerationMethods");
    g.writeString("generateContent");
    g.writeString("countTokens");
    g.writeEndArray();
    g.writeNumberField("temperature", 1);
    g.writeNumberField("topP", 0.95);
    g.writeNumberField("topK", 64);
    g.writeNumberField("maxTemperature", 2);
    if (m.thinking()) {
      g.writeBooleanField("thinking", true);
    }
    g.writeEndObject();
  }
}
