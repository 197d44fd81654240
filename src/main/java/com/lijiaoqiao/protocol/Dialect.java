package com.lijiaoqiao.protocol;

/** The wire formats the gateway speaks: on the way in (ingress) and to an upstream. */
public enum Dialect {
  /** OpenAI's chat completions (and every OpenAI-compatible vendor). */
  OPENAI,
  /** Anthropic's Messages API. */
  ANTHROPIC,
  /** OpenAI's Responses API (ingress only): carried as a chat-completions view, see pipeline/ResponsesCodec. */
  RESPONSES
}
