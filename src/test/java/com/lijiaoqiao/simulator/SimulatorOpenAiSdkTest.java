package com.lijiaoqiao.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SimulatorOpenAiSdkTest extends SimulatorTestBase {
  static OpenAIClient client;

  @BeforeAll
  static void client() {
    client = OpenAIOkHttpClient.builder().baseUrl(sim.baseUrl() + "/v1").apiKey("sk-test").maxRetries(0).build();
  }

  @AfterAll
  static void closeClient() {
    client.close();
  }

  @Test
  void chatNonStream() {
    ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder()
        .model("gpt-4o-mini").addUserMessage("Say hello to the gateway").build());
    assertThat(c.id()).startsWith("chatcmpl-");
    assertThat(c.model()).isEqualTo("gpt-4o-mini");
    assertThat(c.choices()).hasSize(1);
    assertThat(c.choices().get(0).message().content()).get().asString().isNotBlank();
    assertThat(c.choices().get(0).finishReason().asString()).isEqualTo("stop");
    assertThat(c.usage()).isPresent();
    assertThat(c.usage().get().completionTokens()).isEqualTo(40);
    assertThat(c.usage().get().promptTokens()).isGreaterThan(5);
    assertThat(c.usage().get().totalTokens())
        .isEqualTo(c.usage().get().promptTokens() + c.usage().get().completionTokens());
    int counted = TextGen.O200K.countTokensOrdinary(c.choices().get(0).message().content().get());
    assertThat(counted).isEqualTo(40);
  }

  @Test
  void chatModelSuffixIsStrippedAndMaxTokensCaps() {
    ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder()
        .model("gpt-4o::tokens=100").maxCompletionTokens(7).addUserMessage("cap me").build());
    assertThat(c.model()).isEqualTo("gpt-4o");
    assertThat(c.choices().get(0).finishReason().asString()).isEqualTo("length");
    assertThat(c.usage().get().completionTokens()).isEqualTo(7);
  }

  @Test
  void chatStreamWithUsage() {
    ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
        .model("gpt-4o-mini::tokens=12").addUserMessage("stream please")
        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
    List<ChatCompletionChunk> chunks = new ArrayList<>();
    try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(params)) {
      s.stream().forEach(chunks::add);
    }
    // role chunk + 12 content chunks + finish chunk + usage chunk
    assertThat(chunks).hasSize(15);
    assertThat(chunks.get(0).choices().get(0).delta().role()).isPresent();
    StringBuilder text = new StringBuilder();
    for (ChatCompletionChunk ch : chunks) {
      for (ChatCompletionChunk.Choice choice : ch.choices()) {
        choice.delta().content().ifPresent(text::append);
      }
    }
    assertThat(TextGen.O200K.countTokensOrdinary(text.toString())).isEqualTo(12);
    assertThat(chunks.get(13).choices().get(0).finishReason()).isPresent();
    ChatCompletionChunk last = chunks.get(14);
    assertThat(last.choices()).isEmpty();
    assertThat(last.usage()).isPresent();
    assertThat(last.usage().get().completionTokens()).isEqualTo(12);
  }

  @Test
  void chatStreamWithoutUsage() {
    ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
        .model("gpt-4o-mini::tokens=5").addUserMessage("no usage").build();
    List<ChatCompletionChunk> chunks = new ArrayList<>();
    try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(params)) {
      s.stream().forEach(chunks::add);
    }
    assertThat(chunks).hasSize(7);
    assertThat(chunks).allSatisfy(c -> assertThat(c.usage()).isEmpty());
  }

  @Test
  void embeddings() {
    CreateEmbeddingResponse r = client.embeddings().create(EmbeddingCreateParams.builder()
        .model("text-embedding-3-small").input("hello world").build());
    List<Float> v = r.data().get(0).embedding();
    assertThat(v).hasSize(1536);
    double norm = 0;
    for (float f : v) {
      norm += f * f;
    }
    assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-3));
    assertThat(r.usage().promptTokens()).isEqualTo(2);

    CreateEmbeddingResponse floats = client.embeddings().create(EmbeddingCreateParams.builder()
        .model("text-embedding-3-large").inputOfArrayOfStrings(List.of("a", "hello world")).dimensions(256)
        .encodingFormat(EmbeddingCreateParams.EncodingFormat.FLOAT).build());
    assertThat(floats.data()).hasSize(2);
    assertThat(floats.data().get(0).embedding()).hasSize(256);
    // same input -> same vector (prefix of the native one, re-normalised), regardless of encoding
    List<Float> again = floats.data().get(1).embedding();
    float[] full = new float[1536];
    OpenAiEmbeddings.vector(TextGen.hash(TextGen.SEED, "hello world"), full);
    double scale = 0;
    for (int i = 0; i < 256; i++) {
      scale += full[i] * full[i];
    }
    scale = Math.sqrt(scale);
    assertThat((double) again.get(3)).isCloseTo(full[3] / scale, org.assertj.core.data.Offset.offset(1e-5));
    assertThat((double) v.get(3)).isCloseTo(full[3], org.assertj.core.data.Offset.offset(1e-6));
  }

  @Test
  void models() {
    List<Model> models = client.models().list().data();
    assertThat(models).extracting(Model::id).contains("gpt-4o-mini", "claude-sonnet-4-5", "text-embedding-3-large");
    Model m = client.models().retrieve("deepseek-chat");
    assertThat(m.id()).isEqualTo("deepseek-chat");
    assertThat(m.ownedBy()).isEqualTo("deepseek");
  }

}
