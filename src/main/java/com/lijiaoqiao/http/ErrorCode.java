package com.lijiaoqiao.http;

/** The documented error codes (SPEC §9): HTTP status, type, retryability and both languages' default text. */
public enum ErrorCode {
  AUTH_001(401, "authentication_error", false, "Invalid credentials", "凭证无效"),
  AUTH_002(403, "permission_error", false, "Forbidden", "无权访问"),
  AUTH_003(403, "permission_error", false, "Second factor required", "需要二次验证"),
  QUERY_KEY_NOT_ALLOWED(401, "authentication_error", false,
      "API keys must not be sent in the query string; use the Authorization header",
      "API 密钥不能放在查询参数中，请使用 Authorization 请求头"),
  BILLING_001(402, "insufficient_quota", false, "Insufficient balance", "余额不足"),
  BILLING_002(500, "api_error", true, "Charge failed", "扣费失败"),
  ROUTER_001(503, "service_unavailable", true, "No provider available for this model", "没有可用的服务商"),
  ROUTER_002(503, "service_unavailable", true, "All providers failed", "所有服务商均失败"),
  ROUTER_003(504, "timeout_error", true, "Upstream timeout", "上游超时"),
  PROVIDER_004(404, "invalid_request_error", false, "Model not found", "模型不存在"),
  PROVIDER_005(502, "upstream_error", true, "Upstream error", "上游错误"),
  RATE_LIMIT_001(429, "rate_limit_error", true, "Request rate limit exceeded", "请求频率超限"),
  RATE_LIMIT_002(429, "rate_limit_error", true, "Token rate limit exceeded", "Token 速率超限"),
  RISK_001(403, "permission_error", false, "Request blocked by risk control", "请求被风控拦截"),
  SUP_ACC_4001(400, "invalid_request_error", false, "The upstream refused the account's credential",
      "上游拒绝了该账号的凭证"),
  SUP_ACC_4002(400, "invalid_request_error", false, "The upstream probe failed", "上游探测失败"),
  SUP_PKG_4001(400, "invalid_request_error", false, "Supplier price leaves the platform less than its minimum margin",
      "供应价格低于平台最低利润要求"),
  SUP_PKG_4091(409, "invalid_request_error", false, "The package is not in a state that allows this",
      "套餐当前状态不允许此操作"),
  SUP_ACC_4091(409, "invalid_request_error", false, "The account is not in a state that allows this",
      "账号当前状态不允许此操作"),
  SUP_PAY_4091(409, "invalid_request_error", false, "The payout is not in a state that allows this",
      "结算当前状态不允许此操作"),
  WEBHOOK_4091(409, "invalid_request_error", false, "The webhook endpoint is disabled", "该 Webhook 端点已停用"),
  COMMON_001(400, "invalid_request_error", false, "Invalid request", "请求无效"),
  COMMON_002(404, "not_found_error", false, "Not found", "资源不存在"),
  COMMON_003(500, "api_error", true, "Internal error", "内部错误"),
  COMMON_004(503, "service_unavailable", true, "Service unavailable", "服务不可用"),
  COMMON_405(405, "invalid_request_error", false, "Method not allowed", "不支持的请求方法"),
  COMMON_408(408, "invalid_request_error", false, "Request timeout", "请求超时"),
  COMMON_413(413, "invalid_request_error", false, "Request body too large", "请求体过大"),
  COMMON_414(414, "invalid_request_error", false, "Request line too long", "请求行过长"),
  COMMON_415(415, "invalid_request_error", false, "Unsupported content type", "不支持的内容类型"),
  COMMON_431(431, "invalid_request_error", false, "Request headers too large", "请求头过大");

  public final int status;
  public final String type;
  public final boolean retryable;
  public final String en;
  public final String zh;

  ErrorCode(int status, String type, boolean retryable, String en, String zh) {
    this.status = status;
    this.type = type;
    this.retryable = retryable;
    this.en = en;
    this.zh = zh;
  }

  /** The public code string; the 405/408/413/414/415/431 variants report as COMMON_001 with their own status. */
  public String code() {
    return switch (this) {
      case COMMON_405, COMMON_408, COMMON_413, COMMON_414, COMMON_415, COMMON_431 -> "COMMON_001";
      default -> name();
    };
  }

  public String docUrl() {
    return "https://docs.lijiaoqiao.dev/errors/" + code().toLowerCase().replace('_', '-');
  }
}
