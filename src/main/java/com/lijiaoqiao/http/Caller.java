package com.lijiaoqiao.http;

/**
 * Who is calling a management endpoint: a user signed in with a session token, or a platform key acting
 * for its user. {@code apiKeyId} is null for sessions.
 */
public record Caller(long userId, long tenantId, String role, Long apiKeyId) {
  public static final String ADMIN = "admin";
  public static final String TENANT_ADMIN = "tenant_admin";
  public static final String MEMBER = "member";
  public static final String SUPPLIER = "supplier";

  public boolean isAdmin() {
    return ADMIN.equals(role);
  }

  public boolean viaApiKey() {
    return apiKeyId != null;
  }
}
