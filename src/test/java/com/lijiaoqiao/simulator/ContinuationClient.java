package com.lijiaoqiao.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.knuddels.jtokkit.api.Encoding;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** ContinuationTest's client: one conversation of text messages sent in each dialect, the reply read back. */
enum ContinuationClient {
  OPENAI("gpt-4o-mini", TextGen.O200K, "stop", "tool_calls"),
  ANTHROPIC("claude-sonnet-4-5", TextGen.CL100K, "end_turn", "tool_use"),
  GEMINI("gemini-2.5-flash", TextGen.CL100K, "STOP", "STOP");

  /** A reply: the joined text, usage, finish reason, tool calls; errors: status, type and message; cut streams. */
  record Reply(int status, String text, int prompt, int completion, String finish, int toolCalls, String errorType,
      String errorMessage, boolean complete) {}

  final String model;
  final Encoding enc;
  final String stop;
  final String toolStop;

  ContinuationClient(String model, Encoding enc, String stop, String toolStop) {
    this.model = model;
    this.enc = enc;
    this.stop = stop;
    this.toolStop = toolStop;
  }

  String user(String text) {
    return msg("user", text);
  }

  String assistant(String text) {
    return msg(this == GEMINI ? "model" : "assistant", text);
  }

  /** An assistant message whose text comes in two blocks / parts. */
  String assistantParts(String a, String b) {
    if (this == GEMINI) {
      return "{\"role\":\"model\",\"parts\":[{\"text\":" + JsonOut.quote(a) + "},{\"text\":" + JsonOut.quote(b) + "}]}";
    }
    return "{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":" + JsonOut.quote(a)
        + "},{\"type\":\"text\",\"text\":" + JsonOut.quote(b) + "}]}";
  }

  private String msg(String role, String text) {
    return this == GEMINI ? "{\"role\":\"" + role + "\",\"parts\":[{\"text\":" + JsonOut.quote(text) + "}]}"
        : "{\"role\":\"" + role + "\",\"content\":" + JsonOut.quote(text) + "}";
  }

  /** Prompt tokens one text message adds (OpenAI also counts the role's token). */
  int messageTokens(String role, String text) {
    return 3 + (this == OPENAI ? TextGen.count(enc, role) : 0) + TextGen.count(enc, text);
  }

  /** Tools plus the setting that forces a call. */
  String forcedTool() {
    return switch (this) {
      case OPENAI -> "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":"
          + "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}}],\"tool_choice\":\"required\"";
      case ANTHROPIC -> SimulatorAnthropicTest.TOOLS + ",\"tool_choice\":{\"type\":\"any\"}";
      case GEMINI -> GeminiApiTest.TOOLS + "," + GeminiApiTest.ANY;
    };
  }

  /** A call of get_weather and its result "sunny, 21C", after a user question. */
  List<String> toolRound() {
    return switch (this) {
      case OPENAI -> List.of(user("Weather in Paris?"), "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":"
          + "\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":"
          + "\"{\\\"city\\\":\\\"Paris\\\"}\"}}]}", "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"sunny, 21C\"}");
      case ANTHROPIC -> List.of(user("Weather in Paris?"), "{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\","
          + "\"id\":\"toolu_1\",\"name\":\"get_weather\",\"input\":{\"city\":\"Paris\"}}]}", "{\"role\":\"user\","
          + "\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_1\",\"content\":\"sunny, 21C\"}]}");
      case GEMINI -> List.of(user("Weather in Paris?"), "{\"role\":\"model\",\"parts\":[{\"functionCall\":{\"name\":"
          + "\"get_weather\",\"args\":{\"city\":\"Paris\"}}}]}", "{\"role\":\"user\",\"parts\":[{\"functionResponse\":"
          + "{\"name\":\"get_weather\",\"response\":{\"result\":\"sunny, 21C\"}}}]}");
    };
  }

  /**
   * Sends the messages; {@code suffix} goes after {@code model::} (null: none), {@code header} into {@code x-ljq-sim}
   * (null: none), {@code extra} into the body (null: none). A cut stream gives what arrived, {@code complete=false}.
   */
  Reply call(String suffix, String header, List<String> messages, boolean stream, String extra) throws Exception {
    String m = suffix == null ? model : model + "::" + suffix;
    String list = "[" + String.join(",", messages) + "]";
    String x = extra == null ? "" : "," + extra;
    HttpRequest.Builder b;
    String body;
    switch (this) {
      case OPENAI -> {
        b = SimulatorTestBase.req("/v1/chat/completions").header("authorization", "Bearer sk-test");
        body = "{\"model\":" + JsonOut.quote(m) + ",\"messages\":" + list
            + (stream ? ",\"stream\":true,\"stream_options\":{\"include_usage\":true}" : "") + x + "}";
      }
      case ANTHROPIC -> {
        b = SimulatorTestBase.req("/v1/messages").header("x-api-key", "sk-ant").header("anthropic-version", "2023-06-01");
        body = "{\"model\":" + JsonOut.quote(m) + ",\"max_tokens\":256,\"messages\":" + list
            + (stream ? ",\"stream\":true" : "") + x + "}";
      }
      default -> {
        b = SimulatorTestBase.req("/v1beta/models/" + m + (stream ? ":streamGenerateContent?alt=sse" : ":generateContent"))
            .header("x-goog-api-key", "AIza-test");
        body = "{\"contents\":" + list + x + "}";
      }
    }
    if (header != null) {
      b.header(SimHandler.HEADER, header);
    }
    b.header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    int status;
    boolean complete = true;
    try {
      status = SimulatorTestBase.http.send(b.build(), HttpResponse.BodyHandlers.ofByteArrayConsumer(
          o -> o.ifPresent(bytes -> got.write(bytes, 0, bytes.length)))).statusCode();
    } catch (IOException e) {
      status = 200;
      complete = false;
    }
    String s = got.toString(StandardCharsets.UTF_8);
    if (status != 200) {
      JsonNode e = SimulatorTestBase.json(s).path("error");
      return new Reply(status, null, -1, -1, null, 0, e.path(this == GEMINI ? "status" : "type").asText(),
          e.path("message").asText(), true);
    }
    List<JsonNode> docs = stream ? SimulatorTestBase.dataLines(s).stream().filter(d -> !d.equals("[DONE]"))
        .map(SimulatorTestBase::json).toList() : List.of(SimulatorTestBase.json(s));
    return read(docs, complete);
  }

  private Reply read(List<JsonNode> docs, boolean complete) {
    StringBuilder text = new StringBuilder();
    int prompt = -1;
    int completion = -1;
    String finish = null;
    int calls = 0;
    for (JsonNode n : docs) {
      switch (this) {
        case OPENAI -> {
          for (JsonNode c : n.path("choices")) {
            JsonNode msg = c.has("message") ? c.get("message") : c.path("delta");
            if (msg.path("content").isTextual()) {
              text.append(msg.path("content").asText());
            }
            calls += msg.path("tool_calls").isArray() && msg.path("tool_calls").path(0).has("id")
                ? msg.path("tool_calls").size() : 0;
            finish = c.path("finish_reason").isTextual() ? c.path("finish_reason").asText() : finish;
          }
          if (n.path("usage").isObject()) {
            prompt = n.path("usage").path("prompt_tokens").asInt();
            completion = n.path("usage").path("completion_tokens").asInt();
          }
        }
        case ANTHROPIC -> {
          JsonNode message = n.path("type").asText().equals("message_start") ? n.path("message") : n;
          for (JsonNode block : message.path("content")) {
            text.append(block.path("text").asText(""));
            calls += block.path("type").asText().equals("tool_use") ? 1 : 0;
          }
          calls += n.path("content_block").path("type").asText().equals("tool_use") ? 1 : 0;
          if (n.path("delta").path("type").asText().equals("text_delta")) {
            text.append(n.path("delta").path("text").asText());
          }
          finish = message.path("stop_reason").isTextual() ? message.path("stop_reason").asText()
              : n.path("delta").path("stop_reason").isTextual() ? n.path("delta").path("stop_reason").asText() : finish;
          prompt = message.path("usage").has("input_tokens") ? message.path("usage").path("input_tokens").asInt() : prompt;
          completion = n.path("usage").has("output_tokens") ? n.path("usage").path("output_tokens").asInt() : completion;
        }
        case GEMINI -> {
          JsonNode cand = n.path("candidates").path(0);
          for (JsonNode part : cand.path("content").path("parts")) {
            if (part.has("text") && !part.path("thought").asBoolean()) {
              text.append(part.path("text").asText());
            }
            calls += part.has("functionCall") ? 1 : 0;
          }
          prompt = n.path("usageMetadata").path("promptTokenCount").asInt(prompt);
          if (cand.has("finishReason")) {
            finish = cand.path("finishReason").asText();
            completion = n.path("usageMetadata").path("candidatesTokenCount").asInt();
          }
        }
      }
    }
    return new Reply(200, text.toString(), prompt, completion, finish, calls, null, null, complete);
  }
}
