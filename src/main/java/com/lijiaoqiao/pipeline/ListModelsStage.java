package com.lijiaoqiao.pipeline;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.lijiaoqiao.routing.ModelCatalog;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Supplier;

/** GET /v1/models: the models the authenticated key may use, in OpenAI's list shape. */
public final class ListModelsStage implements Stage {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Supplier<ModelCatalog> catalog;
  private final long created;

  public ListModelsStage(Supplier<ModelCatalog> catalog, long createdEpochSeconds) {
    this.catalog = catalog;
    this.created = createdEpochSeconds;
  }

  @Override
  public Future<Void> process(Exchange ex, Chain chain) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (JsonGenerator g = JSON.createGenerator(bytes)) {
      g.writeStartObject();
      g.writeStringField("object", "list");
      g.writeArrayFieldStart("data");
      for (ModelCatalog.ModelInfo m : catalog.get().all()) {
        if (!ex.principal.mayUse(m.name())) continue;
        g.writeStartObject();
        g.writeStringField("id", m.name());
        g.writeStringField("object", "model");
        g.writeNumberField("created", created);
        g.writeStringField("owned_by", m.ownedBy());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ex.statusCode = 200;
    ex.outcome = "ok";
    return ex.request.response().putHeader("content-type", "application/json")
        .end(Buffer.buffer(bytes.toByteArray()));
  }
}
