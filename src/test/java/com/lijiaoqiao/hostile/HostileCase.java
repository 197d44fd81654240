package com.lijiaoqiao.hostile;

import java.util.List;

/**
 * One generated request. {@code raw} set: sent byte for byte over a socket; otherwise through the JDK client as
 * {@code method target headers body}.
 *
 * @param family        the generator family (valid, body, query, path, method, headers, framing)
 * @param mutation      a short human description of what was done to the request
 * @param cred          which credential was sent (admin, member, key, none, garbage:…, wrong:…, variant:…)
 * @param anyShape      either error shape is fine (the request line itself was garbage)
 * @param mustRefuse    a 2xx/3xx is a failure (framing the server must reject, query-string keys)
 * @param mustNotSucceed a 2xx is a failure (garbage or insufficient credentials on a protected route)
 * @param closeOk       the server may close the connection without answering (unparseable framing)
 * @param slow          the request is expected to make the server wait (a body shorter than announced)
 */
record HostileCase(int index, String route, String family, String mutation, String cred, String method, String target,
                   List<String[]> headers, byte[] body, byte[] raw, boolean anthropic, boolean anyShape, boolean mustRefuse,
                   boolean mustNotSucceed, boolean closeOk, boolean slow) {

  boolean head() {
    return method.equalsIgnoreCase("HEAD");
  }

  String pathOnly() {
    int q = target.indexOf('?');
    return q < 0 ? target : target.substring(0, q);
  }

  /**
   * The request is one of Google's API (errors in Google's shape), as the gateway reads it (HttpFrontend.shapeFor,
   * GeminiPath, modelsExchange): anything under /v1beta/; /v1/models/{model}:{method} for the three methods the
   * gateway serves there; and OpenAI's model paths (/v1/models[/…]) when the key comes in x-goog-api-key, as
   * @google/genai's apiVersion 'v1' sends it. Any other /v1/models/… request, colons and all, is OpenAI's.
   */
  boolean gemini() {
    if (geminiPath()) return true;
    String p = gatewayPath();
    return (p.equals("/v1/models") || p.startsWith("/v1/models/"))
        && headers.stream().anyMatch(h -> h[0].equalsIgnoreCase("x-goog-api-key"));
  }

  /** The path as the gateway reads it (an absolute-form target's path). */
  private String gatewayPath() {
    String p = pathOnly();
    int scheme = p.startsWith("/") ? -1 : p.indexOf("://");
    if (scheme >= 0) {
      int slash = p.indexOf('/', scheme + 3);
      p = slash < 0 ? "/" : p.substring(slash);
    }
    return p;
  }

  /** The path alone names Google's API (HttpFrontend.shapeFor: GeminiPath.isGeminiPath). */
  boolean geminiPath() {
    String p = gatewayPath();
    if (p.startsWith("/v1beta/")) return true;
    if (!p.startsWith("/v1/models/")) return false;
    String rest = p.substring("/v1/models/".length());
    int colon = rest.lastIndexOf(':');
    if (colon <= 0 || rest.indexOf('/', colon) >= 0) return false;
    String m = rest.substring(colon + 1);
    return m.equals("generateContent") || m.equals("streamGenerateContent") || m.equals("countTokens");
  }

  String shortTarget() {
    return target.length() > 120 ? target.substring(0, 120) + "…(" + target.length() + " chars)" : target;
  }

  String describe() {
    return "#" + index + " " + method + " " + shortTarget() + " [" + family + ": " + mutation + "; cred=" + cred
        + (raw != null ? "; raw" : "; jdk") + "]";
  }
}
