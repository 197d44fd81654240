/** Shapes of the management API's answers (snake_case, as sent). Amounts are decimal strings. */
export type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface Session {
  accessToken: string;
  refreshToken?: string | null;
  expiresIn?: number | null;
}

export interface Tokens {
  access_token: string;
  refresh_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

export interface Pagination { page: number; page_size: number; total: number }

/** A list answer: `{"data": [...], "pagination": {...}}`. */
export interface Page<T = Json> { data: T[]; pagination: Pagination }

export interface User { id: number; email: string; name?: string; role: string; status: string; tenant_id: number; [k: string]: Json }

export interface ApiKey {
  id: number; name?: string; status: string; user_id?: number; tenant_id?: number;
  /** The secret: only in the answers of create and rotate. */
  key?: string;
  [k: string]: Json;
}

export interface Balance { tenant_id: number; currency: string; balance: string; reserved: string; available: string }

export interface WebhookEndpoint {
  id: number; tenant_id: number | null; url: string; event_types: string[]; description: string | null;
  enabled: boolean; disabled_reason: string | null; disabled_at: string | null; failing_since: string | null;
  consecutive_failures: number; created_at: string; updated_at: string;
  /** Only in the answers of create and rotate-secret. */
  secret?: string;
  [k: string]: Json;
}

export interface SupplierMe {
  supplier_id: number; status: string; min_margin_bps: number; hold_days: number;
  earnings: { accrued: string; pending: string; available: string; requested: string; paid: string };
}

export type Query = Record<string, string | number | boolean | null | undefined>;
