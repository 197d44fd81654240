package com.lijiaoqiao.simulator;

import io.vertx.core.http.HttpServerResponse;
import java.time.Instant;

/** The status faults in the OpenAI and Anthropic shapes (Gemini's are in {@link GeminiErrors}). */
final class StatusFaults {
  private StatusFaults() {}

  /** Answers a status fault (429, 5xx, 401, model_not_found, content_policy) in the request's dialect. */
  static void send(SimHandler h, Ex ex, String f) {
    if (ex.gemini()) {
      GeminiErrors.fault(h, ex, f);
      return;
    }
    boolean a = ex.anthropic();
    HttpServerResponse resp = ex.req.response();
    switch (f) {
      case "429" -> {
        int ra = ex.d.retryAfter;
        if (ra >= 0) {
          resp.putHeader("retry-after", Integer.toString(ra));
        }
        String reset = (ra >= 0 ? ra : 1) + "s";
        resp.putHeader("x-ratelimit-limit-requests", "10000");
        resp.putHeader("x-ratelimit-remaining-requests", "0");
        resp.putHeader("x-ratelimit-reset-requests", reset);
        resp.putHeader("x-ratelimit-limit-tokens", "2000000");
        resp.putHeader("x-ratelimit-remaining-tokens", "0");
        resp.putHeader("x-ratelimit-reset-tokens", reset);
        if (a) {
          String at = Instant.now().plusSeconds(ra >= 0 ? ra : 1).toString();
          resp.putHeader("anthropic-ratelimit-requests-limit", "4000");
          resp.putHeader("anthropic-ratelimit-requests-remaining", "0");
          resp.putHeader("anthropic-ratelimit-requests-reset", at);
          h.error(ex, 429, "rate_limit_error", null, "Number of requests has exceeded your rate limit. Please try again later.");
        } else {
          h.error(ex, 429, "requests", "rate_limit_exceeded",
              "Rate limit reached for requests on model " + ex.model + ". Please try again in " + reset + ".");
        }
      }
      case "500" -> h.error(ex, 500, a ? "api_error" : "server_error", null,
          a ? "Internal server error" : "The server had an error while processing your request. Sorry about that!");
      case "502" -> h.error(ex, 502, a ? "api_error" : "server_error", null, "Bad gateway.");
      case "503" -> h.error(ex, 503, a ? "api_error" : "server_error", null,
          "The engine is currently overloaded, please try again later.");
      case "529" -> h.error(ex, 529, a ? "overloaded_error" : "server_error", null, "Overloaded");
      case "401" -> {
        if (a) {
          h.error(ex, 401, "authentication_error", null, "invalid x-api-key");
        } else {
          h.error(ex, 401, "invalid_request_error", "invalid_api_key", "Incorrect API key provided.");
        }
      }
      case "model_not_found" -> {
        if (a) {
          h.error(ex, 404, "not_found_error", null, "model: " + ex.model);
        } else {
          h.error(ex, 404, "invalid_request_error", "model_not_found",
              "The model `" + ex.model + "` does not exist or you do not have access to it.", "model");
        }
      }
      case "content_policy" -> {
        if (a) {
          h.error(ex, 400, "invalid_request_error", null,
              "Output blocked by content filtering policy: the request violates the usage policy.");
        } else {
          h.error(ex, 400, "invalid_request_error", "content_policy_violation",
              "Your request was rejected as a result of our safety system. Your prompt may contain text that is not allowed by our safety system.",
              "prompt");
        }
      }
      default -> h.error(ex, 500, "server_error", null, "unexpected fault " + f);
    }
  }
}
