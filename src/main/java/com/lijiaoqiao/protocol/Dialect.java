package com.lijiaoqiao.protocol;

/**
 * The wire formats the gateway speaks: on the way in (ingress) and to an upstream. Chat completions is the hub:
 * every other dialect decodes to it and encodes from it (requests, whole answers, stream events), and same-dialect
 * traffic skips it as bytes.
 */
public enum Dialect {
  /** OpenAI's chat completions (and every OpenAI-compatible vendor): the hub's own shape. */
  OPENAI,
  /** Anthropic's Messages API. */
  ANTHROPIC,
  /** OpenAI's Responses API (ingress only): carried as a chat-completions view, see pipeline/ResponsesCodec. */
  RESPONSES,
  /** Google's Gemini API ({@code generateContent}, {@code streamGenerateContent?alt=sse}). */
  GEMINI
}
