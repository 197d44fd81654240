package com.lijiaoqiao.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * How a delivery is signed (docs/webhooks.md): {@code X-Webhook-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>}, the
 * HMAC keyed with the endpoint's secret (its UTF-8 bytes, {@code whsec_} included) over {@code "<t>.<body>"}. The
 * timestamp is signed too, so a receiver that rejects old ones cannot be replayed a captured delivery later.
 */
public final class WebhookSignature {
  public static final String PREFIX = "whsec_";
  private static final SecureRandom RANDOM = new SecureRandom();

  private WebhookSignature() {}

  /** A fresh secret: {@code whsec_} and 32 random bytes, base64url. */
  public static String newSecret() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** The hex HMAC-SHA256 of {@code "<timestamp>.<body>"}. */
  public static String hmac(String secret, long timestamp, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is unavailable", e);
    }
  }

  /** The X-Webhook-Signature header's value. */
  public static String header(String secret, long timestamp, String body) {
    return "t=" + timestamp + ",v1=" + hmac(secret, timestamp, body);
  }

  /**
   * What a receiver does: parses the header, checks the timestamp is within {@code toleranceSeconds} of {@code nowSeconds}
   * and compares the HMAC in constant time. For tests and for Java receivers.
   */
  public static boolean verify(String secret, String header, String body, long nowSeconds, long toleranceSeconds) {
    if (header == null) return false;
    Long t = null;
    String v1 = null;
    for (String part : header.split(",")) {
      String p = part.trim();
      if (p.startsWith("t=")) {
        try {
          t = Long.parseLong(p.substring(2));
        } catch (NumberFormatException e) {
          return false;
        }
      } else if (p.startsWith("v1=")) {
        v1 = p.substring(3);
      }
    }
    if (t == null || v1 == null || Math.abs(nowSeconds - t) > toleranceSeconds) return false;
    return MessageDigest.isEqual(hmac(secret, t, body).getBytes(StandardCharsets.US_ASCII),
        v1.getBytes(StandardCharsets.US_ASCII));
  }
}
