package com.lijiaoqiao.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Renders SPEC §9's error shape. OpenAI-style endpoints get {"error":{…}}; Anthropic endpoints wrap the
 * same object as {"type":"error","error":{…}} so both SDK families can read it.
 */
public final class ErrorRenderer {
  private static final ObjectMapper JSON = new ObjectMapper();

  public enum Shape { OPENAI, ANTHROPIC, GEMINI }

  private ErrorRenderer() {}

  public static byte[] body(GatewayException e, String traceId, Shape shape) {
    ErrorCode c = e.code();
    ByteArrayOutputStream out = new ByteArrayOutputStream(384);
    if (shape == Shape.GEMINI) return gemini(e, traceId, out);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      if (shape == Shape.ANTHROPIC) {
        g.writeStringField("type", "error");
      }
      g.writeObjectFieldStart("error");
      if (shape == Shape.ANTHROPIC) {
        // Anthropic SDKs read error.type as their own error kind; our type names line up with theirs.
        g.writeStringField("type", c.type);
      }
      g.writeStringField("code", c.code());
      g.writeStringField("message", e.getMessage());
      i18n(g, e);
      if (shape == Shape.OPENAI) {
        g.writeStringField("type", c.type);
      }
      g.writeFieldName("details");
      JSON.writeValue(g, e.details());
      g.writeStringField("trace_id", traceId);
      g.writeBooleanField("retryable", c.retryable);
      g.writeStringField("doc_url", c.docUrl());
      g.writeEndObject();
      g.writeEndObject();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return out.toByteArray();
  }

  /**
   * Google's shape, which the Gemini SDKs and CLI read: {@code code} is the HTTP status and {@code status} the
   * canonical gRPC name; the gateway's own code, trace id and details travel beside them and in an ErrorInfo.
   */
  private static byte[] gemini(GatewayException e, String traceId, ByteArrayOutputStream out) {
    ErrorCode c = e.code();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeObjectFieldStart("error");
      g.writeNumberField("code", c.status);
      g.writeStringField("message", e.getMessage());
      g.writeStringField("status", grpcStatus(c.status));
      g.writeArrayFieldStart("details");
      g.writeStartObject();
      g.writeStringField("@type", "type.googleapis.com/google.rpc.ErrorInfo");
      g.writeStringField("reason", c.code());
      g.writeStringField("domain", "lijiaoqiao");
      g.writeObjectFieldStart("metadata");
      g.writeStringField("trace_id", traceId);
      g.writeEndObject();
      g.writeEndObject();
      g.writeEndArray();
      g.writeStringField("ljq_code", c.code());
      i18n(g, e);
      g.writeFieldName("ljq_details");
      JSON.writeValue(g, e.details());
      g.writeStringField("trace_id", traceId);
      g.writeBooleanField("retryable", c.retryable);
      g.writeStringField("doc_url", c.docUrl());
      g.writeEndObject();
      g.writeEndObject();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return out.toByteArray();
  }

  private static void i18n(JsonGenerator g, GatewayException e) throws IOException {
    g.writeObjectFieldStart("message_i18n");
    g.writeStringField("zh_CN", e.messageZh());
    g.writeStringField("en_US", e.getMessage());
    g.writeEndObject();
  }

  private static String grpcStatus(int http) {
    return switch (http) {
      case 400, 413, 414, 415, 431 -> "INVALID_ARGUMENT";
      case 401 -> "UNAUTHENTICATED";
      case 402, 403 -> "PERMISSION_DENIED";
      case 404 -> "NOT_FOUND";
      case 405 -> "UNIMPLEMENTED";
      case 408, 504 -> "DEADLINE_EXCEEDED";
      case 409 -> "ABORTED";
      case 429 -> "RESOURCE_EXHAUSTED";
      case 503 -> "UNAVAILABLE";
      default -> http >= 500 ? "INTERNAL" : "FAILED_PRECONDITION";
    };
  }

  /** Writes the error as the whole response, unless a response has already started. */
  public static io.vertx.core.Future<Void> write(HttpServerResponse response, GatewayException e, String traceId,
                                                 Shape shape) {
    if (response.headWritten() || response.ended() || response.closed()) {
      return io.vertx.core.Future.succeededFuture();
    }
    ErrorCode c = e.code();
    response.setStatusCode(c.status);
    var h = response.headers();
    h.set("content-type", "application/json");
    h.set("x-request-id", traceId);
    h.set("x-should-retry", Boolean.toString(c.retryable));
    if (e.retryAfterSeconds() != null) {
      h.set("retry-after", Integer.toString(e.retryAfterSeconds()));
    } else if (c.retryable && (c.status == 429 || c.status >= 500)) {
      // SDKs that honour x-should-retry also read Retry-After; without one they may retry at once.
      h.set("retry-after", "1");
    }
    return response.end(Buffer.buffer(body(e, traceId, shape)));
  }

  public static Map<String, Object> detail(String key, Object value) {
    return Map.of(key, value);
  }
}
