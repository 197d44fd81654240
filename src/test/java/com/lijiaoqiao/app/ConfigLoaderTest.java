package com.lijiaoqiao.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir
  Path dir;

  @Test
  void defaultsYamlAndEnvironmentLayerInThatOrder() throws Exception {
    Path f = dir.resolve("ljq.yaml");
    Files.writeString(f, """
        server:
          port: 9000
          max_body_bytes: 1024
        database:
          url: ${DB_URL:-jdbc:h2:mem:x}
        providers:
          - id: deepseek
            kind: openai-compatible
            base_url: https://api.deepseek.com/v1
            api_key: ${DEEPSEEK_API_KEY}
            models:
              deepseek-chat: ""
              ds: deepseek-chat
        """);
    GatewayConfig c = ConfigLoader.load(f, Map.of("DEEPSEEK_API_KEY", "sk-secret", "LJQ_SERVER_PORT", "9100",
        "LJQ_USAGE_BATCH_SIZE", "50"));
    assertThat(c.server.port).isEqualTo(9100);
    assertThat(c.server.maxBodyBytes).isEqualTo(1024);
    assertThat(c.server.host).isEqualTo("0.0.0.0");
    assertThat(c.database.url).isEqualTo("jdbc:h2:mem:x");
    assertThat(c.usage.batchSize).isEqualTo(50);
    assertThat(c.providers).hasSize(1);
    assertThat(c.providers.get(0).apiKey).isEqualTo("sk-secret");
    assertThat(c.providers.get(0).models).containsEntry("ds", "deepseek-chat");
  }

  @Test
  void kafkaIsReadFromYamlAndEnvironment() throws Exception {
    Path f = dir.resolve("kafka.yaml");
    Files.writeString(f, "kafka:\n  bootstrap_servers: k1:9092,k2:9092\n  replication_factor: 3\n");
    GatewayConfig c = ConfigLoader.load(f, Map.of("LJQ_KAFKA_TOPIC_PREFIX", "staging."));
    assertThat(c.kafka.bootstrapServers).isEqualTo("k1:9092,k2:9092");
    assertThat(c.kafka.replicationFactor).isEqualTo(3);
    assertThat(c.kafka.topicPrefix).isEqualTo("staging.");
    assertThat(ConfigLoader.load(null, Map.of()).kafka.bootstrapServers).isEmpty();
  }

  @Test
  void mistakesAreReportedInOneLine() throws Exception {
    Path f = dir.resolve("bad.yaml");
    Files.writeString(f, "server:\n  prot: 9000\n");
    assertThatThrownBy(() -> ConfigLoader.load(f, Map.of())).isInstanceOf(ConfigLoader.ConfigException.class)
        .hasMessageContaining("prot");
    assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("missing.yaml"), Map.of()))
        .hasMessageContaining("not found");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("LJQ_SERVER_PORT", "eighty")))
        .hasMessageContaining("LJQ_SERVER_PORT");
  }

  @Test
  void theShippedExampleLoads() {
    GatewayConfig c = ConfigLoader.load(Path.of("ljq.example.yaml"), Map.of());
    assertThat(c.providers).isNotEmpty();
    assertThat(com.lijiaoqiao.routing.ModelAliases.of(c.routing.modelAliases).target("claude-sonnet-4-5-20250929"))
        .isEqualTo("claude-sonnet-4-5");
    var defs = Gateway.providerDefs(c);
    assertThat(defs).isNotEmpty();
    for (var d : defs) {
      assertThat(com.lijiaoqiao.providers.Providers.create(d, "http://127.0.0.1:1/v1", 1000, 1000).id())
          .isEqualTo(d.id());
    }
  }
}
