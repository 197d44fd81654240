package com.lijiaoqiao.access;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;

/**
 * Access tokens: HS256 JWTs (nimbus-jose-jwt) carrying the user, tenant, role and session family. The MAC is
 * checked in constant time by the library; the algorithm is pinned, so "alg": "none" or RS/HS confusion fails.
 */
public final class AccessTokens {
  public static final String ISSUER = "lijiaoqiao";

  public record Claims(long userId, long tenantId, String role, String sessionId, Instant expiresAt) {}

  private final MACSigner signer;
  private final MACVerifier verifier;
  private final long ttlSeconds;

  public AccessTokens(byte[] signingKey, long ttlSeconds) {
    if (signingKey.length < 32) throw new IllegalArgumentException("the JWT signing key must be at least 32 bytes");
    try {
      this.signer = new MACSigner(signingKey);
      this.verifier = new MACVerifier(signingKey);
    } catch (JOSEException e) {
      throw new IllegalArgumentException(e);
    }
    this.ttlSeconds = ttlSeconds;
  }

  public long ttlSeconds() {
    return ttlSeconds;
  }

  public String issue(long userId, long tenantId, String role, String sessionId) {
    Instant now = Instant.now();
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .issuer(ISSUER)
        .subject(Long.toString(userId))
        .claim("tid", tenantId)
        .claim("role", role)
        .claim("sid", sessionId)
        .jwtID(UUID.randomUUID().toString())
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plusSeconds(ttlSeconds)))
        .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
    return jwt.serialize();
  }

  /** The token's claims, or null when it is malformed, forged, of another algorithm or expired. */
  public Claims verify(String token) {
    try {
      SignedJWT jwt = SignedJWT.parse(token);
      if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())) return null;
      if (!jwt.verify(verifier)) return null;
      JWTClaimsSet c = jwt.getJWTClaimsSet();
      if (!ISSUER.equals(c.getIssuer())) return null;
      Date exp = c.getExpirationTime();
      if (exp == null || !Instant.now().isBefore(exp.toInstant())) return null;
      Long tid = c.getLongClaim("tid");
      String sid = c.getStringClaim("sid");
      if (tid == null || sid == null || c.getSubject() == null) return null;
      return new Claims(Long.parseLong(c.getSubject()), tid, c.getStringClaim("role"), sid, exp.toInstant());
    } catch (ParseException | JOSEException | NumberFormatException e) {
      return null;
    }
  }
}
