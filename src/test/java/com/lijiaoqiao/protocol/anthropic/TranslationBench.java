package com.lijiaoqiao.protocol.anthropic;

import com.lijiaoqiao.protocol.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Not part of the suite (the name does not end in Test): prints what translation costs per request and per
 * stream event on this machine. Run with {@code mvn -q test -Dtest=TranslationBench}.
 */
class TranslationBench {
  @Test
  void translationCost() {
    StringBuilder tools = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      if (i > 0) tools.append(',');
      tools.append("{\"name\":\"tool_").append(i).append("\",\"description\":\"").append("Reads a file. ".repeat(150))
          .append("\",\"input_schema\":{\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\"}}}}");
    }
    byte[] big = ("{\"model\":\"m\",\"max_tokens\":4096,\"stream\":true,\"system\":[{\"type\":\"text\",\"text\":\""
        + "You are Claude Code. ".repeat(200) + "\",\"cache_control\":{\"type\":\"ephemeral\"}}],\"tools\":[" + tools
        + "],\"messages\":[{\"role\":\"user\",\"content\":\"Fix the bug in main.py\"}]}").getBytes(StandardCharsets.UTF_8);
    byte[] small = "{\"model\":\"m\",\"max_tokens\":256,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"
        .getBytes(StandardCharsets.UTF_8);
    report("anthropic→openai request, " + big.length / 1024 + " KB", () -> AnthropicRequest.parse(big, false).toOpenAi());
    report("anthropic parse+validate only, " + big.length / 1024 + " KB", () -> AnthropicRequest.parse(big, false));
    byte[] bigOpenAi = Json.bytes(openAiOf(big));
    report("openai parse+validate (baseline), " + bigOpenAi.length / 1024 + " KB",
        () -> com.lijiaoqiao.protocol.OpenAiRequest.parse(com.lijiaoqiao.protocol.Endpoint.CHAT_COMPLETIONS, bigOpenAi));
    report("anthropic→openai request, small", () -> AnthropicRequest.parse(small, false).toOpenAi());
    ObjectNode openAi = AnthropicRequest.parse(big, false).toOpenAi();
    report("openai→anthropic request, " + big.length / 1024 + " KB", () -> Json.bytes(OpenAiToAnthropic.request(openAi, "m")));
    String delta = "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}";
    AnthropicToOpenAiStream a2o = new AnthropicToOpenAiStream("m", false);
    StringBuilder out = new StringBuilder();
    report("anthropic→openai stream event", () -> {
      out.setLength(0);
      a2o.onEvent("content_block_delta", delta, out);
    });
    String chunk = "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,"
        + "\"delta\":{\"content\":\"Hello\"},\"finish_reason\":null}]}";
    OpenAiToAnthropicStream o2a = new OpenAiToAnthropicStream("m", 1);
    report("openai→anthropic stream event", () -> {
      out.setLength(0);
      o2a.onEvent(null, chunk, out);
    });
    AnthropicPassthroughStream pass = new AnthropicPassthroughStream();
    report("anthropic passthrough event (usage scan)", () -> {
      out.setLength(0);
      pass.onEvent("content_block_delta", delta, out);
    });
  }

  /** End to end through a real gateway and simulator: the same request, passthrough vs translated. */
  @Test
  void endToEnd() {
    try (var gw = new com.lijiaoqiao.conformance.TwoDialectGatewayAccess()) {
      String body = "{\"model\":\"%s\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
      String[][] cases = {
          {"/v1/messages", "anthropic/chat", "anthropic → anthropic (passthrough)"},
          {"/v1/messages", "openai-compatible/chat", "anthropic → openai-compatible (translated)"},
          {"/v1/chat/completions", "openai-compatible/chat", "openai → openai-compatible (passthrough)"},
          {"/v1/chat/completions", "anthropic/chat", "openai → anthropic (translated)"}};
      for (int round = 0; round < 2; round++) for (String[] c : cases) {
        String json = String.format(body, c[1]);
        Runnable call = () -> {
          var r = com.lijiaoqiao.testing.Http.postJson(gw.root() + c[0], null, json, "x-api-key", gw.apiKey());
          if (r.status() != 200) throw new AssertionError(r.body());
        };
        for (int i = 0; i < 300; i++) call.run();
        int n = 1000;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) call.run();
        System.out.printf("BENCH e2e %-45s %8.1f µs/request%n", c[2], (System.nanoTime() - t0) / 1000.0 / n);
      }
    }
  }

  private static ObjectNode openAiOf(byte[] b) {
    return AnthropicRequest.parse(b, false).toOpenAi();
  }

  private static void report(String what, Runnable r) {
    for (int i = 0; i < 2_000; i++) r.run();
    int n = 5_000;
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) r.run();
    double us = (System.nanoTime() - t0) / 1000.0 / n;
    System.out.printf("BENCH %-45s %8.2f µs%n", what, us);
  }
}
