package com.lijiaoqiao.identity;

import com.lijiaoqiao.access.PasswordHasher;
import com.lijiaoqiao.http.Caller;
import com.lijiaoqiao.http.ErrorCode;
import com.lijiaoqiao.http.GatewayException;
import com.lijiaoqiao.http.api.Fields;
import com.lijiaoqiao.store.AccountRepository;
import com.lijiaoqiao.store.StoreException;
import java.util.Map;
import java.util.Set;

/** Creating users (API, registration and the command line share the rules). Blocking. */
public final class Users {
  public static final Set<String> ROLES = Set.of(Caller.ADMIN, Caller.TENANT_ADMIN, Caller.MEMBER, Caller.SUPPLIER);
  public static final int MIN_PASSWORD = 8;

  private Users() {}

  public static String normaliseEmail(String email) {
    if (email == null) throw Fields.invalid("email", "'email' is required.");
    String e = email.trim().toLowerCase();
    int at = e.indexOf('@');
    if (e.length() > 255 || at <= 0 || at != e.lastIndexOf('@') || at == e.length() - 1 || e.contains(" ")
        || e.indexOf('\u0000') >= 0) {
      throw Fields.invalid("email", "'email' is not a valid e-mail address.");
    }
    return e;
  }

  public static void checkPassword(String password) {
    if (password == null || password.length() < MIN_PASSWORD || password.length() > 256) {
      throw Fields.invalid("password", "'password' must be " + MIN_PASSWORD + " to 256 characters long.");
    }
  }

  public static void checkRole(String role) {
    if (role == null || !ROLES.contains(role)) {
      throw Fields.invalid("role", "'role' must be one of admin, tenant_admin, member, supplier.");
    }
  }

  /** Creates a user; without a tenant, a personal tenant is created for it. Returns the new user's id. */
  public static long create(AccountRepository accounts, String email, String password, String name, String role,
                            Long tenantId) {
    String e = normaliseEmail(email);
    checkPassword(password);
    checkRole(role);
    Fields.bounded("name", name, 100);
    if (accounts.findUserByEmail(e).isPresent()) {
      throw new GatewayException(ErrorCode.COMMON_001, "A user with this e-mail already exists.", "该邮箱已注册。",
          Map.of("field", "email"), null);
    }
    long tenant;
    if (tenantId != null) {
      if (!accounts.tenantExists(tenantId)) throw GatewayException.badRequest("Tenant " + tenantId + " does not exist.");
      tenant = tenantId;
    } else {
      String tenantName = name != null && !name.isBlank() ? name : e;
      // tenants.name is VARCHAR(100); an e-mail address may be up to 255 characters.
      tenant = accounts.createTenant(tenantName.length() > 100 ? tenantName.substring(0, 100) : tenantName);
    }
    try {
      return accounts.createUser(e, PasswordHasher.hash(password), name, tenant, role);
    } catch (StoreException ex) {
      // a concurrent registration of the same address
      throw new GatewayException(ErrorCode.COMMON_001, "A user with this e-mail already exists.", "该邮箱已注册。",
          Map.of("field", "email"), null);
    }
  }
}
