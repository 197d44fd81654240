package com.lijiaoqiao.pipeline;

import com.lijiaoqiao.http.ApiRouter;
import com.lijiaoqiao.http.GatewayException;
import com.lijiaoqiao.protocol.Endpoint;
import com.lijiaoqiao.protocol.OpenAiRequest;
import com.lijiaoqiao.protocol.gemini.GeminiPath;
import com.lijiaoqiao.protocol.gemini.GeminiRequest;

/**
 * Decodes a Gemini call (after authentication, so a bad key is a 401 before any 400): the model from the path,
 * the body validated, and the hub's chat view given to the pipeline, so limits, the reservation
 * (maxOutputTokens), routing and billing see one shape.
 */
final class GeminiDecode {
  private GeminiDecode() {}

  static void decode(Exchange ex, boolean count) {
    GeminiPath p = GeminiPath.parse(ex.request.path());
    if (p == null) throw GatewayException.badField("model", "The path does not name a model.");
    String model = ApiRouter.decodeSegment(p.rawModel());
    if (model == null) throw GatewayException.badField("model", "The model in the path is not valid percent-encoding.");
    if (model.startsWith("models/")) model = model.substring("models/".length());
    if (model.isBlank()) throw GatewayException.badField("model", "The path does not name a model.");
    OpenAiRequest.checkModelLength(model);
    if (p.stream() && !"sse".equals(ex.request.getParam("alt"))) {
      throw GatewayException.badField("alt", "streamGenerateContent is served as server-sent events only: add"
          + " '?alt=sse' (as the Google SDKs and Gemini CLI do).");
    }
    GeminiRequest g = count ? GeminiRequest.parseCount(ex.rawBody, model) : GeminiRequest.parse(ex.rawBody, model, p.stream());
    ex.gemini = g;
    ex.parsed = OpenAiRequest.parse(Endpoint.CHAT_COMPLETIONS, g.toChat());
  }
}
