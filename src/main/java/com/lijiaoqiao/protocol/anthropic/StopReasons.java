package com.lijiaoqiao.protocol.anthropic;

/** Stop reasons both ways: stop/length/tool_calls/content_filter ⇄ end_turn/max_tokens/tool_use/refusal. */
public final class StopReasons {
  private StopReasons() {}

  public static String toOpenAi(String anthropic) {
    if (anthropic == null) return null;
    return switch (anthropic) {
      case "max_tokens", "model_context_window_exceeded" -> "length";
      case "tool_use" -> "tool_calls";
      case "refusal" -> "content_filter";
      default -> "stop"; // end_turn, stop_sequence, pause_turn
    };
  }

  public static String toAnthropic(String openAi) {
    if (openAi == null) return null;
    return switch (openAi) {
      case "length" -> "max_tokens";
      case "tool_calls", "function_call" -> "tool_use";
      case "content_filter" -> "refusal";
      default -> "end_turn";
    };
  }
}
