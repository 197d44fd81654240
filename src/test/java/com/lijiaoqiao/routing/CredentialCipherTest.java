package com.lijiaoqiao.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class CredentialCipherTest {
  final byte[] key = new byte[32];
  final CredentialCipher c = new CredentialCipher(key);

  @Test
  void roundTripsWithAFreshNonceEachTime() {
    String a = c.encrypt("p1", "sk-secret");
    String b = c.encrypt("p1", "sk-secret");
    assertThat(a).startsWith("v1:").isNotEqualTo(b).doesNotContain("sk-secret");
    assertThat(c.decrypt("p1", a)).isEqualTo("sk-secret");
    assertThat(c.encrypt("p1", "")).isEmpty();
  }

  @Test
  void aProviderDefinitionNeverPrintsItsCredential() {
    ProviderDef d = new ProviderDef("p1", "openai-compatible", "https://x/v1", "sk-secret", java.util.Map.of("m", "m"),
        true, true, true, 0, 0, 0.5, 0, 0, "", true, "admin");
    assertThat(d.toString()).contains("p1").doesNotContain("sk-secret");
  }

  @Test
  void aCiphertextDoesNotDecryptForAnotherProviderOrKeyAndErrorsNeverShowIt() {
    String a = c.encrypt("p1", "sk-secret");
    assertThatThrownBy(() -> c.decrypt("p2", a)).hasMessageContaining("p2").hasMessageNotContaining("sk-secret");
    byte[] other = Arrays.copyOf(key, 32);
    other[0] = 1;
    assertThatThrownBy(() -> new CredentialCipher(other).decrypt("p1", a)).hasMessageNotContaining(a);
    assertThatThrownBy(() -> new CredentialCipher(new byte[16])).hasMessageContaining("32 bytes");
  }
}
