package com.lijiaoqiao.simulator;

import io.vertx.core.buffer.Buffer;

/** Gemini's error shape, {@code {"error":{"code":429,"message":"…","status":"RESOURCE_EXHAUSTED"}}}, and its faults. */
final class GeminiErrors {
  static final String INTERNAL = "An internal error has occurred. Please retry or report in "
      + "https://developers.generativeai.google/guide/troubleshooting";
  static final String OVERLOADED = "The model is overloaded. Please try again later.";
  static final String NO_KEY = "Method doesn't allow unregistered callers (callers without established identity). "
      + "Please use API Key or other form of API consumer identity to call this API.";
  static final Buffer STREAM_ERROR = Buffer.buffer("data: " + body(500, INTERNAL, null) + "\n\n");

  private GeminiErrors() {}

  /** The google.rpc status name for an HTTP status. */
  static String status(int code) {
    return switch (code) {
      case 400 -> "INVALID_ARGUMENT";
      case 401 -> "UNAUTHENTICATED";
      case 403 -> "PERMISSION_DENIED";
      case 404 -> "NOT_FOUND";
      case 409 -> "ABORTED";
      case 429 -> "RESOURCE_EXHAUSTED";
      case 500 -> "INTERNAL";
      case 501 -> "UNIMPLEMENTED";
      case 502, 503, 529 -> "UNAVAILABLE";
      case 504 -> "DEADLINE_EXCEEDED";
      default -> "UNKNOWN";
    };
  }

  /** The error document; {@code details} is raw JSON for the {@code details} array (null = none). */
  static String body(int code, String message, String details) {
    return "{\"error\":{\"code\":" + code + ",\"message\":" + JsonOut.quote(message) + ",\"status\":\"" + status(code)
        + "\"" + (details == null ? "" : ",\"details\":[" + details + "]") + "}}";
  }

  static void send(SimHandler h, Ex ex, int code, String message, String details) {
    h.sendError(ex, code, Buffer.buffer(body(code, message, details)));
  }

  static String contextLength(int tokens, int limit) {
    return "The input token count (" + tokens + ") exceeds the maximum number of tokens allowed (" + limit + ").";
  }

  /** The status faults (429, 5xx, 401, model_not_found, content_policy outside generateContent). */
  static void fault(SimHandler h, Ex ex, String f) {
    switch (f) {
      case "429" -> {
        int ra = ex.d.retryAfter;
        String details = null;
        if (ra >= 0) {
          ex.req.response().putHeader("retry-after", Integer.toString(ra));
          details = "{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"" + ra + "s\"}";
        }
        send(h, ex, 429, "You exceeded your current quota, please check your plan and billing details. For more "
            + "information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.", details);
      }
      case "500" -> send(h, ex, 500, INTERNAL, null);
      case "502" -> send(h, ex, 502, "Bad gateway.", null);
      case "503", "529" -> send(h, ex, Integer.parseInt(f), OVERLOADED, null);
      case "401" -> send(h, ex, 401, "API key not valid. Please pass a valid API key.",
          "{\"@type\":\"type.googleapis.com/google.rpc.ErrorInfo\",\"reason\":\"API_KEY_INVALID\","
              + "\"domain\":\"googleapis.com\",\"metadata\":{\"service\":\"generativelanguage.googleapis.com\"}}");
      case "model_not_found" -> send(h, ex, 404, "models/" + ex.model + " is not found for API version "
          + (ex.req.path().startsWith("/v1beta/") ? "v1beta" : "v1") + ", or is not supported for generateContent. "
          + "Call ListModels to see the list of available models and their supported methods.", null);
      case "content_policy" -> send(h, ex, 400, "The request was blocked for safety reasons.", null);
      default -> send(h, ex, 500, "unexpected fault " + f, null);
    }
  }
}
