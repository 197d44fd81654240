package com.lijiaoqiao.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.lijiaoqiao.testing.Databases;
import com.lijiaoqiao.testing.TestGateway;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The official OpenAI Java SDK, pointed at the gateway, works unchanged. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenAiSdkAgainstGatewayTest {
  TestGateway gw;
  OpenAIClient client;

  @BeforeAll
  void start() {
    gw = TestGateway.start(Databases.Kind.H2);
    client = OpenAIOkHttpClient.builder().baseUrl(gw.baseUrl()).apiKey(gw.apiKey).maxRetries(0).build();
  }

  @AfterAll
  void stop() {
    client.close();
    gw.close();
  }

  @Test
  void chatNonStreaming() {
    ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder()
        .model("gpt-4o-mini").addSystemMessage("Be brief.").addUserMessage("Say hello to the gateway").build());
    assertThat(c.model()).isEqualTo("gpt-4o-mini");
    assertThat(c.choices().get(0).message().content()).get().asString().isNotBlank();
    assertThat(c.usage().get().completionTokens()).isPositive();
  }

  @Test
  void chatStreamingWithUsage() {
    ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
        .model("gpt-4o-mini").addUserMessage("stream please").maxCompletionTokens(12)
        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
    List<ChatCompletionChunk> chunks = new ArrayList<>();
    try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(params)) {
      s.stream().forEach(chunks::add);
    }
    StringBuilder text = new StringBuilder();
    chunks.forEach(ch -> ch.choices().forEach(choice -> choice.delta().content().ifPresent(text::append)));
    assertThat(text.toString()).isNotBlank();
    ChatCompletionChunk last = chunks.get(chunks.size() - 1);
    assertThat(last.usage()).isPresent();
    assertThat(last.usage().get().completionTokens()).isEqualTo(12);
  }

  @Test
  void chatStreamingWithoutUsage() {
    List<ChatCompletionChunk> chunks = new ArrayList<>();
    try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(
        ChatCompletionCreateParams.builder().model("deepseek-chat").addUserMessage("hi").build())) {
      s.stream().forEach(chunks::add);
    }
    assertThat(chunks).isNotEmpty();
    assertThat(chunks).allSatisfy(c -> assertThat(c.usage()).isEmpty());
  }

  @Test
  void legacyCompletions() {
    Completion c = client.completions().create(CompletionCreateParams.builder()
        .model(CompletionCreateParams.Model.of("gpt-4o-mini")).prompt("Once upon a time").build());
    assertThat(c.choices().get(0).text()).isNotBlank();
  }

  @Test
  void embeddingsInTheSdksDefaultBase64Encoding() {
    CreateEmbeddingResponse r = client.embeddings().create(EmbeddingCreateParams.builder()
        .model("text-embedding-3-small").input("hello world").build());
    assertThat(r.data().get(0).embedding()).hasSize(1536);
    assertThat(r.usage().promptTokens()).isPositive();
  }

  @Test
  void modelsListAndRetrieve() {
    List<Model> models = client.models().list().data();
    assertThat(models).extracting(Model::id).contains("gpt-4o-mini", "text-embedding-3-small", "deepseek-chat");
    assertThat(client.models().retrieve("gpt-4o").id()).isEqualTo("gpt-4o");
    assertThatThrownBy(() -> client.models().retrieve("no-such-model")).isInstanceOf(NotFoundException.class);
  }

  @Test
  void aBadKeyIsAnSdkAuthenticationError() {
    OpenAIClient bad = OpenAIOkHttpClient.builder().baseUrl(gw.baseUrl()).apiKey("lgw-wrong").maxRetries(0).build();
    try {
      assertThatThrownBy(() -> bad.chat().completions().create(ChatCompletionCreateParams.builder()
          .model("gpt-4o-mini").addUserMessage("hi").build())).isInstanceOf(UnauthorizedException.class);
    } finally {
      bad.close();
    }
  }
}
