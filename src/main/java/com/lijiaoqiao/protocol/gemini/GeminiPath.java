package com.lijiaoqiao.protocol.gemini;

/**
 * A Gemini data-plane path: {@code /v1beta/models/{model}:{method}} (or {@code /v1/…}). The model may hold
 * single colons (vendor tags), so the method is what follows the last one.
 */
public record GeminiPath(String rawModel, String method) {
  public static final String GENERATE = "generateContent";
  public static final String STREAM = "streamGenerateContent";
  public static final String COUNT = "countTokens";
  public static final String LIST = "/v1beta/models";

  /** Null when the path is not a Gemini model call (the method may still be one the gateway does not serve). */
  public static GeminiPath parse(String path) {
    String rest;
    if (path.startsWith("/v1beta/models/")) rest = path.substring("/v1beta/models/".length());
    else if (path.startsWith("/v1/models/")) rest = path.substring("/v1/models/".length());
    else return null;
    int colon = rest.lastIndexOf(':');
    // Public model names may hold '/' (vendor/model) and single ':' (tags): the method follows the last ':'.
    if (colon <= 0 || colon == rest.length() - 1 || rest.indexOf('/', colon) >= 0) return null;
    GeminiPath p = new GeminiPath(rest.substring(0, colon), rest.substring(colon + 1));
    // Under /v1/models/ only Google's own methods make a Gemini call: anything else is OpenAI's model path.
    return path.startsWith("/v1beta/") || p.served() ? p : null;
  }

  /** A method the gateway serves. */
  public boolean served() {
    return method.equals(GENERATE) || method.equals(STREAM) || method.equals(COUNT);
  }

  public boolean stream() {
    return method.equals(STREAM);
  }

  /** A path of Google's API (its error shape applies). */
  public static boolean isGeminiPath(String path) {
    return path != null && (path.startsWith("/v1beta/") || parse(path) != null);
  }
}
