package com.lijiaoqiao.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.lijiaoqiao.app.ConfigLoader;
import com.lijiaoqiao.app.GatewayConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What can be checked of the container and Kubernetes files without Docker or Helm: they parse as YAML, compose
 * has its services, and every LJQ_* variable they set, and every setting in their ljq.yaml, is one the gateway
 * reads (ConfigLoader's mapping: the setting's path in upper case, prefixed LJQ_).
 */
class DeploymentFilesTest {
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final Path ROOT = Path.of("").toAbsolutePath();
  static final Path DEPLOY = ROOT.resolve("deploy");
  static final Pattern LJQ_VAR = Pattern.compile("\\bLJQ_[A-Z0-9_]+\\b");
  /** Set by the deployment for settings other issues add; each must map once those are merged. */
  static final Set<String> PENDING = Set.of();

  static JsonNode yaml(Path p) throws IOException {
    JsonNode n = YAML.readTree(p.toFile());
    assertThat(n).as(p + " parses").isNotNull();
    return n;
  }

  @Test
  void composeRunsTwoNodesWithTheirBackingServices() throws IOException {
    JsonNode services = yaml(DEPLOY.resolve("compose.yaml")).get("services");
    List<String> names = new ArrayList<>();
    services.fieldNames().forEachRemaining(names::add);
    assertThat(names).contains("postgres", "redis", "kafka", "ljq-1", "ljq-2", "prometheus", "grafana");
    for (String node : List.of("ljq-1", "ljq-2")) {
      JsonNode env = services.get(node).get("environment");
      assertThat(env.get("LJQ_DATABASE_URL").asText()).startsWith("jdbc:postgresql://postgres:");
      assertThat(env.get("LJQ_REDIS_URL").asText()).startsWith("redis://redis:");
      assertThat(env.get("LJQ_KAFKA_BOOTSTRAP_SERVERS").asText()).isEqualTo("kafka:9092");
      for (String shared : List.of("LJQ_SECURITY_KEY_HASH_SECRET", "LJQ_SECURITY_JWT_SIGNING_KEY",
          "LJQ_SECURITY_CREDENTIAL_KEY", "LJQ_DATABASE_PASSWORD", "LJQ_METRICS_TOKEN")) {
        assertThat(env.get(shared).asText()).as(node + " " + shared + " from .env, never a literal").startsWith("${");
      }
    }
    assertThat(services.get("kafka").get("environment").get("KAFKA_PROCESS_ROLES").asText()).contains("controller");
    JsonNode prom = yaml(DEPLOY.resolve("prometheus.yml"));
    JsonNode job = prom.get("scrape_configs").get(0);
    assertThat(job.get("metrics_path").asText()).isEqualTo("/metrics");
    assertThat(job.get("authorization").get("type").asText()).isEqualTo("Bearer");
    assertThat(job.get("static_configs").get(0).get("targets").toString()).contains("ljq-1:8080", "ljq-2:8080");
    yaml(DEPLOY.resolve("grafana/provisioning/datasources/prometheus.yaml"));
    yaml(DEPLOY.resolve("grafana/provisioning/dashboards/ljq.yaml"));
    new ObjectMapper().readTree(DEPLOY.resolve("grafana/dashboards/ljq-overview.json").toFile());
    new ObjectMapper().readTree(DEPLOY.resolve("grafana/dashboards/ljq-gateway.json").toFile()); // provisioned too
  }

  @Test
  void theChartParsesAndProbesTheRightPaths() throws IOException {
    Path chart = DEPLOY.resolve("helm/ljq");
    JsonNode meta = yaml(chart.resolve("Chart.yaml"));
    assertThat(meta.get("apiVersion").asText()).isEqualTo("v2");
    assertThat(meta.get("name").asText()).isEqualTo("ljq");
    JsonNode values = yaml(chart.resolve("values.yaml"));
    assertThat(values.get("replicaCount").asInt()).isGreaterThan(1);
    assertThat(values.get("serviceMonitor").get("enabled").asBoolean()).isFalse();
    String deployment = Files.readString(chart.resolve("templates/deployment.yaml"));
    assertThat(deployment).contains("path: /livez").contains("path: /readyz").contains("secretKeyRef");
    String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
    assertThat(dockerfile).contains("HEALTHCHECK").contains("/livez").contains("USER 10001")
        .contains("\"-jar\", \"/app/ljq.jar\", \"serve\", \"--config\"")
        .contains("COPY jvm.options /app/jvm.options").contains("\"java\", \"@/app/jvm.options\"");
  }

  @Test
  void theJvmOptionsEveryLauncherPassesStartAJvmWithABoundedHeap() throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process p = new ProcessBuilder(java, "@" + ROOT.resolve("jvm.options"), "-XX:+PrintFlagsFinal", "-version")
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    assertThat(out).containsPattern("MaxHeapSize\\s+= 201326592").containsPattern("NewSize\\s+= 41943040").containsPattern("UseSerialGC\\s+= true");
    assertThat(Files.readString(ROOT.resolve("ljq"))).contains("@$ROOT/jvm.options");
  }

  @Test
  void everySettingTheDeploymentUsesIsOneTheGatewayReads() throws IOException {
    // ljq.yaml of compose and the chart's config load without unknown settings (ConfigLoader refuses those).
    ConfigLoader.load(DEPLOY.resolve("ljq.yaml"), Map.of());
    Path fromValues = Files.createTempFile("ljq-values", ".yaml");
    try {
      Files.writeString(fromValues, YAML.writeValueAsString(yaml(DEPLOY.resolve("helm/ljq/values.yaml")).get("config")));
      GatewayConfig c = ConfigLoader.load(fromValues, Map.of());
      assertThat(c.health.drainDelayMs).isPositive();
      assertThat(c.logging.format).isEqualTo("json");
    } finally {
      Files.deleteIfExists(fromValues);
    }
    Set<String> vars = new TreeSet<>();
    List<Path> files = new ArrayList<>(List.of(DEPLOY.resolve("compose.yaml"), ROOT.resolve("Dockerfile"),
        DEPLOY.resolve("helm/ljq/values.yaml")));
    try (Stream<Path> t = Files.list(DEPLOY.resolve("helm/ljq/templates"))) {
      t.forEach(files::add);
    }
    for (Path f : files) {
      Matcher m = LJQ_VAR.matcher(Files.readString(f));
      while (m.find()) vars.add(m.group());
    }
    assertThat(vars).contains("LJQ_DATABASE_PASSWORD", "LJQ_SECURITY_KEY_HASH_SECRET", "LJQ_LOGGING_FORMAT");
    List<String> unknown = new ArrayList<>();
    for (String v : vars) {
      if (!maps(v) && !PENDING.contains(v)) unknown.add(v);
    }
    assertThat(unknown).as("LJQ_* variables that set no setting").isEmpty();
    assertThat(maps("LJQ_NO_SUCH_SETTING")).as("the check itself").isFalse();
    assertThat(maps("LJQ_SECURITY_OPEN_REGISTRATION")).isTrue();
  }

  /** Whether setting this variable changes the configuration ConfigLoader builds. */
  static boolean maps(String var) {
    String defaults = tree(ConfigLoader.load(null, Map.of()));
    for (String sample : List.of("7", "true")) {
      try {
        if (!tree(ConfigLoader.load(null, Map.of(var, sample))).equals(defaults)) return true;
      } catch (ConfigLoader.ConfigException e) {
        return true; // a number setting refusing the sample: it is read
      }
    }
    return false;
  }

  static String tree(GatewayConfig c) {
    try {
      return new ObjectMapper().writeValueAsString(c);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
