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

/**
 * GET /v1/models: the models the authenticated key may use, in OpenAI's list shape; GET /v1/models/{id}: one
 * of them (404 for a model the key may not use, exactly as for one that does not exist).
 */
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
    String path = ex.request.path();
    // Anthropic SDKs (and Claude Code) send anthropic-version: they get Anthropic's list shape.
    boolean anthropic = ex.request.getHeader("anthropic-version") != null;
    if (ex.ingress == com.lijiaoqiao.protocol.Dialect.GEMINI) return gemini(ex, path);
    if (path.startsWith("/v1/models/")) {
      String id = com.lijiaoqiao.http.ApiRouter.decodeSegment(path.substring("/v1/models/".length()));
      if (id == null) {
        return Future.failedFuture(com.lijiaoqiao.http.GatewayException.badField("model",
            "The model id in the path is not valid percent-encoding."));
      }
      ModelCatalog.ModelInfo m = catalog.get().find(id);
      if (m == null || !ex.principal.mayUse(id)) {
        return Future.failedFuture(new com.lijiaoqiao.http.GatewayException(com.lijiaoqiao.http.ErrorCode.PROVIDER_004,
            "The model '" + (id.length() > 128 ? id.substring(0, 128) + "…" : id)
                + "' does not exist or this key may not use it.", null, java.util.Map.of(), null));
      }
      return respond(ex, g -> {
        if (anthropic) writeAnthropicModel(g, m);
        else writeModel(g, m);
      });
    }
    java.util.List<ModelCatalog.ModelInfo> visible = catalog.get().all().stream()
        .filter(m -> ex.principal.mayUse(m.name())).toList();
    return respond(ex, g -> {
      g.writeStartObject();
      if (!anthropic) g.writeStringField("object", "list");
      g.writeArrayFieldStart("data");
      for (ModelCatalog.ModelInfo m : visible) {
        if (anthropic) writeAnthropicModel(g, m);
        else writeModel(g, m);
      }
      g.writeEndArray();
      if (anthropic) {
        g.writeBooleanField("has_more", false);
        g.writeStringField("first_id", visible.isEmpty() ? null : visible.get(0).name());
        g.writeStringField("last_id", visible.isEmpty() ? null : visible.get(visible.size() - 1).name());
      }
      g.writeEndObject();
    });
  }

  /**
   * Google's shape ({@code GET /v1beta/models}, {@code GET /v1beta/models/{id}}, or the same under {@code /v1/}), for
   * Gemini SDKs and CLI.
   */
  private Future<Void> gemini(Exchange ex, String path) {
    String prefix = path.startsWith("/v1/models/") ? "/v1/models/"
        : com.lijiaoqiao.protocol.gemini.GeminiPath.LIST + "/";
    if (path.startsWith(prefix)) {
      String id = com.lijiaoqiao.http.ApiRouter.decodeSegment(path.substring(prefix.length()));
      if (id == null) {
        return Future.failedFuture(com.lijiaoqiao.http.GatewayException.badField("model",
            "The model id in the path is not valid percent-encoding."));
      }
      if (id.startsWith("models/")) id = id.substring("models/".length());
      ModelCatalog.ModelInfo m = catalog.get().find(id);
      if (m == null || !ex.principal.mayUse(id)) {
        return Future.failedFuture(new com.lijiaoqiao.http.GatewayException(com.lijiaoqiao.http.ErrorCode.PROVIDER_004,
            "The model '" + (id.length() > 128 ? id.substring(0, 128) + "…" : id)
                + "' does not exist or this key may not use it.", null, java.util.Map.of(), null));
      }
      return respond(ex, g -> writeGeminiModel(g, m));
    }
    java.util.List<ModelCatalog.ModelInfo> visible = catalog.get().all().stream()
        .filter(m -> ex.principal.mayUse(m.name())).toList();
    return respond(ex, g -> {
      g.writeStartObject();
      g.writeArrayFieldStart("models");
      for (ModelCatalog.ModelInfo m : visible) writeGeminiModel(g, m);
      g.writeEndArray();
      g.writeEndObject();
    });
  }

  private void writeGeminiModel(JsonGenerator g, ModelCatalog.ModelInfo m) throws IOException {
    g.writeStartObject();
    g.writeStringField("name", "models/" + m.name());
    g.writeStringField("baseModelId", m.name());
    g.writeStringField("version", "001");
    g.writeStringField("displayName", m.name());
    g.writeArrayFieldStart("supportedGenerationMethods");
    g.writeString("generateContent");
    g.writeString("streamGenerateContent");
    g.writeString("countTokens");
    g.writeEndArray();
    g.writeEndObject();
  }

  private void writeAnthropicModel(JsonGenerator g, ModelCatalog.ModelInfo m) throws IOException {
    g.writeStartObject();
    g.writeStringField("type", "model");
    g.writeStringField("id", m.name());
    g.writeStringField("display_name", m.name());
    g.writeStringField("created_at", java.time.Instant.ofEpochSecond(created).toString());
    g.writeEndObject();
  }

  private void writeModel(JsonGenerator g, ModelCatalog.ModelInfo m) throws IOException {
    g.writeStartObject();
    g.writeStringField("id", m.name());
    g.writeStringField("object", "model");
    g.writeNumberField("created", created);
    g.writeStringField("owned_by", m.ownedBy());
    g.writeEndObject();
  }

  private interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  private static Future<Void> respond(Exchange ex, Body body) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (JsonGenerator g = JSON.createGenerator(bytes)) {
      body.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ex.statusCode = 200;
    ex.outcome = "ok";
    return ex.request.response().putHeader("content-type", "application/json")
        .end(Buffer.buffer(bytes.toByteArray()));
  }
}
