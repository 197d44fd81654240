package com.lijiaoqiao.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OpenAiResponseScannerTest {
  static OpenAiResponseScanner.Result scan(String json, StringBuilder text) {
    return OpenAiResponseScanner.scan(json.getBytes(StandardCharsets.UTF_8), text);
  }

  @Test
  void readsUsageWithCachedTokensFromARealShapedResponse() {
    var r = scan("""
        {"id":"chatcmpl-1","object":"chat.completion","model":"gpt-4o-2024-08-06","choices":[{"index":0,
         "message":{"role":"assistant","content":"Hi","tool_calls":[{"id":"c1","type":"function",
         "function":{"name":"f","arguments":"{\\"a\\":1}"}}]},"finish_reason":"tool_calls"}],
         "usage":{"prompt_tokens":120,"completion_tokens":8,"total_tokens":128,
         "prompt_tokens_details":{"cached_tokens":100,"audio_tokens":0}}}""", new StringBuilder());
    assertThat(r.valid).isTrue();
    assertThat(r.model).isEqualTo("gpt-4o-2024-08-06");
    assertThat(r.finishReason).isEqualTo("tool_calls");
    assertThat(r.usage).isEqualTo(new TokenUsage(120, 8, 100, false));
  }

  @Test
  void collectsStreamedTextAndToolArguments() {
    StringBuilder text = new StringBuilder();
    scan("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"},\"finish_reason\":null}],\"usage\":null}", text);
    scan("{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"x\"}}]}}]}", text);
    var last = scan("{\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2}}", text);
    assertThat(text.toString()).isEqualTo("Hel{\"x");
    assertThat(last.hasChoices).isFalse();
    assertThat(last.usage.completionTokens()).isEqualTo(2);
  }

  @Test
  void malformedOrTrailingGarbageIsInvalid() {
    assertThat(scan("{\"choices\":[{\"delta\":{\"content\":\"oops\"", null).valid).isFalse();
    assertThat(scan("{} {}", null).valid).isFalse();
    assertThat(scan("[1]", null).valid).isFalse();
    assertThat(scan("{\"error\":{\"message\":\"x\"}}", null).isError).isTrue();
  }
}
