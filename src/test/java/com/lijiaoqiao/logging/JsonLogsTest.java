package com.lijiaoqiao.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.lijiaoqiao.app.ConfigLoader;
import com.lijiaoqiao.app.GatewayConfig;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class JsonLogsTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void jsonFormatTurnsTheRootAppendersIntoOneObjectALine() throws Exception {
    LoggerContext ctx = new LoggerContext();
    ctx.setMDCAdapter(MDC.getMDCAdapter());
    ctx.start();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    OutputStreamAppender<ILoggingEvent> out = new OutputStreamAppender<>();
    out.setContext(ctx);
    PatternLayoutEncoder text = new PatternLayoutEncoder();
    text.setContext(ctx);
    text.setPattern("%msg%n");
    text.start();
    out.setEncoder(text);
    out.setOutputStream(bytes);
    out.start();
    ch.qos.logback.classic.Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.addAppender(out);

    assertThat(LogFormat.apply(ctx, "text")).isZero();
    assertThat(LogFormat.apply(ctx, "json")).isEqualTo(1);
    MDC.put("node", "n1");
    try {
      ctx.getLogger("com.example.Thing").atWarn().addKeyValue("status", 503).addKeyValue("message", "clash")
          .log("a \"quoted\" line\nwith a newline");
    } finally {
      MDC.remove("node");
    }
    ctx.getLogger("com.example.Thing").error("failed", new IllegalStateException("boom"));
    String[] lines = bytes.toString(StandardCharsets.UTF_8).strip().split("\n");
    assertThat(lines).as(ctx.getStatusManager().getCopyOfStatusList().toString()).hasSize(2);
    JsonNode a = JSON.readTree(lines[0]);
    assertThat(a.get("level").asText()).isEqualTo("WARN");
    assertThat(a.get("logger").asText()).isEqualTo("com.example.Thing");
    assertThat(a.get("thread").asText()).isEqualTo(Thread.currentThread().getName());
    assertThat(a.get("message").asText()).isEqualTo("a \"quoted\" line\nwith a newline");
    assertThat(a.get("timestamp").asText()).endsWith("Z");
    assertThat(a.get("node").asText()).isEqualTo("n1");
    assertThat(a.get("status").asInt()).isEqualTo(503);
    assertThat(a.get("_message").asText()).isEqualTo("clash");
    JsonNode b = JSON.readTree(lines[1]);
    assertThat(b.get("stack").asText()).contains("IllegalStateException: boom");
    ctx.stop();
  }

  @Test
  void theFormatComesFromTheConfigOrTheEnvironmentAndIsChecked() {
    assertThat(new GatewayConfig().logging.format).isEqualTo("text");
    GatewayConfig c = ConfigLoader.load(null, Map.of("LJQ_LOGGING_FORMAT", "json"));
    assertThat(LogFormat.isJson(c.logging.format)).isTrue();
    assertThatThrownBy(() -> LogFormat.check("xml")).isInstanceOf(ConfigLoader.ConfigException.class)
        .hasMessageContaining("logging.format");
  }
}
