package com.lijiaoqiao.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What an untrusted base URL may make the gateway call: public unicast only, unless an operator allows more. */
class AddressGuardTest {
  static final AddressGuard STRICT = new AddressGuard(false, List.of());

  static InetAddress addr(String literal) throws Exception {
    return InetAddress.getByName(literal.contains(":") ? "[" + literal + "]" : literal); // literals only: no DNS
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "127.0.0.1", "127.255.255.254", "0.0.0.0", "0.1.2.3", "10.0.0.1", "10.255.255.255", "172.16.0.1",
      "172.31.255.255", "192.168.1.1", "100.64.0.1", "100.127.255.255", "169.254.169.254", "169.254.0.1",
      "192.0.0.192", "198.18.0.1", "198.19.255.255", "224.0.0.1", "239.255.255.250", "240.0.0.1",
      "255.255.255.255",
      "::1", "::", "fe80::1", "febf::1", "fec0::1", "fc00::1", "fd12:3456::1", "ff02::1", "ff0e::1",
      "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::ffff:7f00:1", "::ffff:0:7f00:1",
      "::127.0.0.1", "::10.0.0.1", "::169.254.169.254",
      "64:ff9b::127.0.0.1", "64:ff9b::a9fe:a9fe", "64:ff9b:1::1",
      "2002:7f00:1::", "2002:a9fe:a9fe::1", "2002:c0a8:101::1"})
  void refusesWhatIsNotPublicUnicast(String literal) throws Exception {
    assertThat(STRICT.permitted(addr(literal))).as(literal).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "8.8.8.8", "1.1.1.1", "203.0.113.7", "100.63.255.255", "100.128.0.0", "172.15.255.255", "172.32.0.0",
      "169.253.255.255", "192.0.1.1", "198.17.255.255", "198.20.0.0", "223.255.255.255", "11.0.0.1",
      "2606:4700:4700::1111", "2001:4860:4860::8888", "::ffff:8.8.8.8", "64:ff9b::8.8.8.8", "2002:808:808::1",
      "fbff::1", "fe7f::1"})
  void permitsPublicUnicastAndTheNeighboursOfRefusedBlocks(String literal) throws Exception {
    assertThat(STRICT.permitted(addr(literal))).as(literal).isTrue();
  }

  @Test
  void allowPrivatePermitsEverything() throws Exception {
    AddressGuard lax = new AddressGuard(true, List.of());
    assertThat(lax.permitted(addr("127.0.0.1"))).isTrue();
    assertThat(lax.permitted(addr("169.254.169.254"))).isTrue();
    assertThat(lax.permitsEverything()).isTrue();
    assertThat(AddressGuard.allowAll()).isSameAs(AddressGuard.OFF);
    assertThat(AddressGuard.OFF.permitted(addr("::1"))).isTrue();
    assertThatCode(() -> lax.checkUrl("http://localhost:8080/v1")).doesNotThrowAnyException();
    assertThat(STRICT.permitsEverything()).isFalse();
  }

  @Test
  void anAllowedBlockPermitsOnlyItself() throws Exception {
    AddressGuard g = new AddressGuard(false, List.of("127.0.0.1/32", "10.1.0.0/16", "192.168.7.7", "fd00:1::/32"));
    assertThat(g.permitted(addr("127.0.0.1"))).isTrue();
    assertThat(g.permitted(addr("::ffff:127.0.0.1"))).as("the same host in IPv6 clothes").isTrue();
    assertThat(g.permitted(addr("127.0.0.2"))).isFalse();
    assertThat(g.permitted(addr("10.1.200.3"))).isTrue();
    assertThat(g.permitted(addr("10.2.0.1"))).isFalse();
    assertThat(g.permitted(addr("192.168.7.7"))).isTrue();
    assertThat(g.permitted(addr("192.168.7.8"))).isFalse();
    assertThat(g.permitted(addr("fd00:1:2::3"))).isTrue();
    assertThat(g.permitted(addr("fd00:2::3"))).isFalse();
    assertThat(g.permitted(addr("169.254.169.254"))).isFalse();
    assertThatCode(() -> g.checkUrl("http://127.0.0.1:8000/v1")).doesNotThrowAnyException();
    assertThatThrownBy(() -> g.checkUrl("http://localhost:8000/v1")).as("the name is not the block")
        .isInstanceOf(AddressGuard.Refused.class);
  }

  @Test
  void anAllowedReservedNamePassesTheNameRuleButNotTheAddressRule() {
    AddressGuard nameOnly = new AddressGuard(false, List.of("localhost"));
    assertThatCode(() -> nameOnly.checkUrl("http://localhost:8000/v1")).doesNotThrowAnyException();
    assertThatThrownBy(() -> nameOnly.resolveBlocking("localhost")).as("127.0.0.1 is still not allowed")
        .isInstanceOf(AddressGuard.Refused.class);
    AddressGuard both = new AddressGuard(false, List.of("localhost", "127.0.0.0/8", "::1"));
    assertThat(both.resolveBlocking("LOCALHOST.").isLoopbackAddress()).isTrue();
  }

  @Test
  void allowedEntriesThatAreNotAddressesAreAConfigurationError() {
    assertThatThrownBy(() -> new AddressGuard(false, List.of("ollama.internal")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ollama.internal");
    assertThatThrownBy(() -> new AddressGuard(false, List.of("10.0.0.0/33")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new AddressGuard(false, List.of("10.0.0/8")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "http://127.0.0.1/v1", "http://127.0.0.1:8080", "https://10.0.0.5/v1", "http://169.254.169.254/latest/meta-data",
      "http://0.0.0.0:80/", "http://[::1]:8080/v1", "http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/",
      "http://[0:0:0:0:0:ffff:127.0.0.1]/", "http://[::127.0.0.1]/", "http://[64:ff9b::7f00:1]/",
      "http://[2002:7f00:1::]/", "http://[fe80::1]/", "http://[fd00::1]/",
      "http://2130706433/", "http://0x7f.1/", "http://0x7f000001/", "http://127.1/", "http://0177.0.0.1/",
      "http://017700000001/", "http://127.0.0.1./", "http://127.000.000.001/", "http://1.2.3.4.5/",
      "http://%31%32%37.0.0.1/", "http://localhost/", "http://LOCALHOST:11434/v1", "http://localhost./",
      "http://api.localhost/", "http://metadata.google.internal/computeMetadata/v1/", "http://metadata/",
      "http://Metadata.Google.Internal./", "ftp://api.example.com/", "file:///etc/passwd", "gopher://x/",
      "//api.example.com/v1", "api.example.com/v1", "http:api.example.com", "http:///v1", "http://exa_mple.com/",
      "not a url", ""})
  void checkUrlRefuses(String url) {
    assertThatThrownBy(() -> STRICT.checkUrl(url)).as(url).isInstanceOf(AddressGuard.Refused.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "https://api.openai.com/v1", "http://api.example.com:8080/v1/", "HTTPS://API.Example.COM", "https://8.8.8.8/v1",
      "https://[2606:4700:4700::1111]/v1", "https://123.example.com/", "https://xn--fiqs8s.example/v1",
      "https://localhost.example.com/"})
  void checkUrlPermits(String url) {
    assertThatCode(() -> STRICT.checkUrl(url)).as(url).doesNotThrowAnyException();
  }

  @Test
  void aCredentialInTheUrlIsRefusedAndNeverRepeated() {
    for (String url : List.of("https://sk-secret123@api.example.com/v1", "https://user:sk-secret123@api.example.com/v1",
        "http://u:sk-secret123@127.0.0.1/")) {
      assertThatThrownBy(() -> STRICT.checkUrl(url)).as(url).isInstanceOf(AddressGuard.Refused.class)
          .message().doesNotContain("sk-secret123").contains("user name or password");
      assertThatThrownBy(() -> AddressGuard.OFF.checkUrl(url)).as("syntax holds for every guard")
          .isInstanceOf(AddressGuard.Refused.class);
    }
    assertThatThrownBy(() -> STRICT.checkUrl("http://sk-secret123@@x/")).message().doesNotContain("sk-secret123");
    assertThatThrownBy(() -> STRICT.checkUrl("http://api.example.com:sk-secret123/"))
        .message().doesNotContain("sk-secret123");
  }

  @Test
  void oddNotationIsRefusedEvenWhenPrivateAddressesAreAllowed() {
    AddressGuard lax = new AddressGuard(true, List.of());
    assertThatThrownBy(() -> lax.checkUrl("http://2130706433/")).isInstanceOf(AddressGuard.Refused.class)
        .hasMessageContaining("not written as one");
    assertThatThrownBy(() -> lax.resolveBlocking("0177.0.0.1")).isInstanceOf(AddressGuard.Refused.class);
  }

  @Test
  void aNameThatResolvesToLoopbackIsRefused() {
    assertThatThrownBy(() -> STRICT.resolveBlocking("localhost")).isInstanceOf(AddressGuard.Refused.class)
        .hasMessageContaining("localhost");
    // past the name rule, refused by the address it resolves to
    AddressGuard nameAllowed = new AddressGuard(false, List.of("localhost"));
    assertThatThrownBy(() -> nameAllowed.resolveBlocking("localhost")).isInstanceOf(AddressGuard.Refused.class)
        .hasMessageContaining("private, loopback");
  }

  @Test
  void oneRefusedAddressAmongManyRefusesTheName() throws Exception {
    AddressGuard.Verdict mixed = STRICT.judge("rebind.example", new InetAddress[] {addr("8.8.8.8"), addr("127.0.0.1")});
    assertThat(mixed.address()).isNull();
    assertThat(mixed.refusal()).hasMessageContaining("rebind.example");
    AddressGuard.Verdict ok = STRICT.judge("ok.example", new InetAddress[] {addr("8.8.8.8"), addr("1.1.1.1")});
    assertThat(ok.address()).isEqualTo(addr("8.8.8.8"));
    assertThat(STRICT.judge("none.example", new InetAddress[0]).refusal()).isNotNull();
  }

  @Test
  void literalsAreJudgedWithoutDns() {
    assertThat(STRICT.resolveBlocking("8.8.8.8").getHostAddress()).isEqualTo("8.8.8.8");
    assertThat(STRICT.resolveBlocking("[2606:4700:4700::1111]").getHostAddress())
        .isEqualTo("2606:4700:4700:0:0:0:0:1111");
    assertThatThrownBy(() -> STRICT.resolveBlocking("[::ffff:169.254.169.254]"))
        .isInstanceOf(AddressGuard.Refused.class);
    assertThatThrownBy(() -> STRICT.resolveBlocking("0x7f.1")).isInstanceOf(AddressGuard.Refused.class);
  }

  @Test
  void anUnresolvableNameIsRefusedWithoutItsWholeUrl() {
    assertThatThrownBy(() -> STRICT.resolveBlocking("no-such-host.invalid")).isInstanceOf(AddressGuard.Refused.class)
        .hasMessageContaining("could not be resolved");
  }

  @Test
  void resolveRunsOffTheEventLoopAndCachesTheVerdict() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      AddressGuard g = new AddressGuard(false, List.of("127.0.0.0/8", "::1", "localhost"));
      InetAddress first = g.resolve(vertx, "localhost").toCompletionStage().toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
      assertThat(first.isLoopbackAddress()).isTrue();
      assertThat(first.toString()).as("no name left that a connection could resolve again").startsWith("/");
      assertThat(g.resolve(vertx, "localhost").isComplete()).as("the second is served from the cache").isTrue();

      io.vertx.core.Context context = vertx.getOrCreateContext();
      java.util.concurrent.CompletableFuture<Boolean> sameContext = new java.util.concurrent.CompletableFuture<>();
      context.runOnContext(v -> g.resolve(vertx, "127.0.0.1").onComplete(ar ->
          sameContext.complete(ar.succeeded() && Vertx.currentContext() == context)));
      assertThat(sameContext.get(10, TimeUnit.SECONDS)).as("answered on the caller's event loop").isTrue();

      assertThatThrownBy(() -> STRICT.resolve(vertx, "localhost").toCompletionStage().toCompletableFuture()
          .get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(AddressGuard.Refused.class);
      assertThat(STRICT.resolve(vertx, "localhost").failed()).as("a refusal is cached too").isTrue();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
