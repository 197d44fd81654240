package com.lijiaoqiao.routing;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Upstream credentials at rest: AES-256-GCM, a fresh 96-bit nonce per value, the provider id as associated
 * data (a ciphertext moved to another provider does not decrypt). Stored as "v1:" + base64(nonce ‖ ciphertext).
 */
public final class CredentialCipher {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final SecretKeySpec key;

  public CredentialCipher(byte[] key) {
    if (key.length != 32) throw new IllegalArgumentException("security.credential_key must be 32 bytes (AES-256)");
    this.key = new SecretKeySpec(key, "AES");
  }

  public String encrypt(String providerId, String plain) {
    if (plain == null || plain.isEmpty()) return "";
    try {
      byte[] nonce = new byte[12];
      RANDOM.nextBytes(nonce);
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
      c.updateAAD(providerId.getBytes(StandardCharsets.UTF_8));
      byte[] ct = c.doFinal(plain.getBytes(StandardCharsets.UTF_8));
      byte[] out = new byte[12 + ct.length];
      System.arraycopy(nonce, 0, out, 0, 12);
      System.arraycopy(ct, 0, out, 12, ct.length);
      return "v1:" + Base64.getEncoder().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("credential encryption failed", e);
    }
  }

  public String decrypt(String providerId, String stored) {
    if (stored == null || stored.isEmpty()) return "";
    if (!stored.startsWith("v1:")) throw new IllegalStateException("credential of provider " + providerId
        + " is in an unknown format");
    try {
      byte[] all = Base64.getDecoder().decode(stored.substring(3));
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, all, 0, 12));
      c.updateAAD(providerId.getBytes(StandardCharsets.UTF_8));
      return new String(c.doFinal(all, 12, all.length - 12), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      // Never include the value: only which provider's credential failed.
      throw new IllegalStateException("credential of provider " + providerId
          + " cannot be decrypted (wrong security.credential_key?)");
    }
  }
}
