package com.lijiaoqiao.identity;

import com.lijiaoqiao.access.AccessTokens;
import com.lijiaoqiao.access.PasswordHasher;
import com.lijiaoqiao.http.ErrorCode;
import com.lijiaoqiao.http.GatewayException;
import com.lijiaoqiao.store.AccountRepository;
import com.lijiaoqiao.store.SessionRepository;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sign-in, refresh-token rotation and sign-out. Blocking (database and Argon2): sign-in runs on the
 * {@link com.lijiaoqiao.access.HashingPool}, the rest on worker threads.
 */
public final class AuthService {
  private static final Logger log = LoggerFactory.getLogger(AuthService.class);
  static final String REFRESH_PREFIX = "lrt-";
  private static final SecureRandom RANDOM = new SecureRandom();
  /**
   * Verified against when the e-mail is unknown, so the answer takes as long as for a wrong password. Made on first
   * use or by {@link #prepareInBackground} at start, not in the class's initialiser on the starting thread.
   */
  private static final class Dummy {
    static final String HASH = PasswordHasher.hash("not-a-real-password-" + UUID.randomUUID());
  }

  /**
   * Makes the dummy hash on a thread of its own, a few seconds after start (a memory-hard hash costs a tenth of a
   * second or more while the code is cold; a starting gateway has better use for its cores).
   */
  public static void prepareInBackground() {
    Thread.ofPlatform().name("ljq-auth-prepare").daemon(true).start(() -> {
      try {
        Thread.sleep(5_000);
      } catch (InterruptedException e) {
        return;
      }
      Dummy.HASH.length();
    });
  }

  public record TokenPair(String accessToken, String refreshToken, long expiresIn) {
    @Override
    public String toString() {
      return "TokenPair[expiresIn=" + expiresIn + "]";
    }
  }

  private final AccountRepository accounts;
  private final SessionRepository sessions;
  private final AccessTokens tokens;
  private final long refreshTtlSeconds;
  private final int maxFailures;
  private final long lockSeconds;

  public AuthService(AccountRepository accounts, SessionRepository sessions, AccessTokens tokens,
                     long refreshTtlSeconds, int maxFailures, long lockSeconds) {
    this.accounts = accounts;
    this.sessions = sessions;
    this.tokens = tokens;
    this.refreshTtlSeconds = refreshTtlSeconds;
    this.maxFailures = maxFailures;
    this.lockSeconds = lockSeconds;
  }

  public AccessTokens tokens() {
    return tokens;
  }

  /** How long a refresh token lives (a session cookie's Max-Age). */
  public long refreshTtlSeconds() {
    return refreshTtlSeconds;
  }

  /**
   * Signs in. Unknown e-mail, wrong password and a locked account get the same answer after the same work
   * (one Argon2 verification), so the answer does not tell whether an account exists or is locked.
   */
  public TokenPair login(String email, String password) {
    String pw = password == null ? "" : password;
    String key = accountKey(email);
    // No stored address is longer than 255 or holds a NUL (which PostgreSQL would refuse to compare): unknown.
    Optional<AccountRepository.UserRow> found = key == null || key.length() > 255 || key.indexOf('\u0000') >= 0
        ? Optional.empty() : accounts.findUserByEmail(key);
    if (found.isEmpty()) {
      PasswordHasher.matches(pw, Dummy.HASH);
      throw badCredentials();
    }
    AccountRepository.UserRow u = found.get();
    Instant now = Instant.now();
    // The attempt is counted before the hash is checked, atomically, so racing guesses cannot outrun the lock.
    if (!accounts.reserveLoginAttempt(u.id(), maxFailures, now, now.plusSeconds(lockSeconds))) {
      PasswordHasher.matches(pw, Dummy.HASH);
      log.info("sign-in refused for user {}: the account is locked", u.id());
      throw badCredentials();
    }
    if (!PasswordHasher.matches(pw, u.passwordHash())) {
      log.info("failed sign-in for user {}", u.id());
      throw badCredentials();
    }
    if (!"active".equals(u.status())) {
      accounts.resetFailedLogins(u.id());
      throw new GatewayException(ErrorCode.AUTH_001, "This account is " + u.status() + ".", "该账户已停用。",
          Map.of(), null);
    }
    accounts.recordSuccessfulLogin(u.id());
    String family = UUID.randomUUID().toString();
    sessions.createFamily(family, u.id());
    return issue(u.id(), u.tenantId(), u.role(), family);
  }

  /** The form under which an e-mail is looked up and throttled (null when there is none). */
  public static String accountKey(String email) {
    if (email == null) return null;
    String e = email.trim().toLowerCase(java.util.Locale.ROOT);
    return e.isEmpty() ? null : e.length() > 320 ? e.substring(0, 320) : e;
  }

  /** Rotates a refresh token. Presenting one that was already used revokes its whole family. */
  public TokenPair refresh(String refreshToken) {
    if (refreshToken == null || !refreshToken.startsWith(REFRESH_PREFIX)) throw invalidRefresh();
    Optional<SessionRepository.RefreshRow> found = sessions.findRefresh(hash(refreshToken));
    if (found.isEmpty()) throw invalidRefresh();
    SessionRepository.RefreshRow r = found.get();
    if (!"active".equals(r.familyStatus())) throw invalidRefresh();
    if (!"active".equals(r.status()) || !sessions.markRotated(r.id())) {
      sessions.revokeFamily(r.familyId(), "refresh_token_reuse");
      log.warn("refresh-token reuse detected for user {}: session family revoked", r.userId());
      throw invalidRefresh();
    }
    if (!Instant.now().isBefore(r.expiresAt())) throw invalidRefresh();
    AccountRepository.UserRow u = accounts.findUser(r.userId()).orElseThrow(AuthService::invalidRefresh);
    if (!"active".equals(u.status())) {
      sessions.revokeFamily(r.familyId(), "user_" + u.status());
      throw invalidRefresh();
    }
    return issue(u.id(), u.tenantId(), u.role(), r.familyId());
  }

  /** Ends the session of a refresh token (unknown tokens are ignored: logout is idempotent). */
  public void logoutRefresh(String refreshToken) {
    if (refreshToken == null || !refreshToken.startsWith(REFRESH_PREFIX)) return;
    sessions.findRefresh(hash(refreshToken)).ifPresent(r -> sessions.revokeFamily(r.familyId(), "logout"));
  }

  public void logoutSession(String familyId) {
    sessions.revokeFamily(familyId, "logout");
  }

  private TokenPair issue(long userId, long tenantId, String role, String family) {
    byte[] raw = new byte[32];
    RANDOM.nextBytes(raw);
    String refresh = REFRESH_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    sessions.insertRefresh(family, userId, hash(refresh), Instant.now().plusSeconds(refreshTtlSeconds));
    return new TokenPair(tokens.issue(userId, tenantId, role, family), refresh, tokens.ttlSeconds());
  }

  /** Refresh tokens carry 256 random bits, so a plain SHA-256 is enough to make the stored form useless. */
  static String hash(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(token.getBytes(StandardCharsets.US_ASCII)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** One answer for unknown e-mail, wrong password and a locked account (no Retry-After: that would tell). */
  static GatewayException badCredentials() {
    return new GatewayException(ErrorCode.AUTH_001, "Wrong e-mail or password. After repeated failures, sign-in "
        + "is paused for a while.", "邮箱或密码错误。多次失败后将暂停登录一段时间。", Map.of(), null);
  }

  private static GatewayException invalidRefresh() {
    return new GatewayException(ErrorCode.AUTH_001, "The refresh token is invalid, expired or already used.",
        "刷新令牌无效、已过期或已被使用。", Map.of(), null);
  }
}
