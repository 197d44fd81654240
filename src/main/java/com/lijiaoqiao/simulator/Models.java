package com.lijiaoqiao.simulator;

import com.fasterxml.jackson.core.JsonGenerator;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;

/** GET /v1/models bodies (OpenAI and Anthropic shapes). Lists are pre-built once. */
final class Models {
  static final long CREATED = 1_715_367_049L;
  private static final String CREATED_AT = "2025-01-01T00:00:00Z";
  private static final byte[] OPENAI_LIST = build(false);
  private static final byte[] ANTHROPIC_LIST = build(true);

  private Models() {}

  static Buffer list(boolean anthropic) {
    return Buffer.buffer(anthropic ? ANTHROPIC_LIST : OPENAI_LIST);
  }

  static Buffer one(boolean anthropic, String id) {
    return JsonOut.write(g -> model(g, anthropic, id));
  }

  private static byte[] build(boolean anthropic) {
    return JsonOut.write(g -> {
      g.writeStartObject();
      if (!anthropic) {
        g.writeStringField("object", "list");
      }
      g.writeArrayFieldStart("data");
      for (SimModel m : SimCatalog.models()) {
        model(g, anthropic, m.name());
      }
      g.writeEndArray();
      if (anthropic) {
        g.writeBooleanField("has_more", false);
        g.writeStringField("first_id", SimCatalog.models().get(0).name());
        g.writeStringField("last_id", SimCatalog.models().get(SimCatalog.models().size() - 1).name());
      }
      g.writeEndObject();
    }).getBytes();
  }

  private static void model(JsonGenerator g, boolean anthropic, String id) throws IOException {
    g.writeStartObject();
    if (anthropic) {
      g.writeStringField("type", "model");
      g.writeStringField("id", id);
      g.writeStringField("display_name", id);
      g.writeStringField("created_at", CREATED_AT);
    } else {
      g.writeStringField("id", id);
      g.writeStringField("object", "model");
      g.writeNumberField("created", CREATED);
      g.writeStringField("owned_by", SimCatalog.ownerOf(id));
    }
    g.writeEndObject();
  }
}
