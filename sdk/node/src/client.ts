import { LijiaoqiaoError } from './errors.js';
import type { ApiKey, Balance, Json, Page, Query, Session, SupplierMe, Tokens, User, WebhookEndpoint } from './types.js';

export interface ClientOptions {
  /** A platform key `lgw-…` (billing endpoints only; the rest need a signed-in user). */
  apiKey?: string;
  /** Tokens of an earlier sign-in. */
  session?: Session;
  /** Per-request timeout in milliseconds (30 s). */
  timeoutMs?: number;
  /** A fetch implementation (default: the global fetch of Node 20). */
  fetch?: typeof fetch;
}

interface RequestOptions {
  body?: unknown;
  query?: Query;
  headers?: Record<string, string>;
  raw?: boolean;
  auth?: boolean;
}

const seg = (v: string | number) => encodeURIComponent(String(v));

function clean<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as Partial<T>;
}

/**
 * A client of one gateway's management API. `baseUrl` is the gateway's address with or without `/v1`. Sign in with
 * `client.auth.login(email, password)`: the tokens are kept in the client and refreshed once, transparently, when
 * the access token has expired.
 */
export class Client {
  readonly baseUrl: string;
  apiKey: string | undefined;
  session: Session | undefined;
  readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;
  readonly auth: Auth;
  readonly users: Users;
  readonly keys: Keys;
  readonly billing: Billing;
  readonly supply: Supply;
  readonly webhooks: Webhooks;

  constructor(baseUrl: string, options: ClientOptions = {}) {
    let base = baseUrl.replace(/\/+$/, '');
    if (base.endsWith('/v1')) base = base.slice(0, -3);
    this.baseUrl = base;
    this.apiKey = options.apiKey;
    this.session = options.session;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.fetchImpl = options.fetch ?? globalThis.fetch;
    this.auth = new Auth(this);
    this.users = new Users(this);
    this.keys = new Keys(this);
    this.billing = new Billing(this);
    this.supply = new Supply(this);
    this.webhooks = new Webhooks(this);
  }

  /** One call: JSON in, JSON out (`raw`: the body as text, for CSV). Throws {@link LijiaoqiaoError}. */
  async request<T = Json>(method: string, path: string, opts: RequestOptions = {}, retry = true): Promise<T> {
    const url = new URL(this.baseUrl + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) {
      if (v !== undefined && v !== null) url.searchParams.set(k, String(v));
    }
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'lijiaoqiao-node/0.1.0' };
    let body: string | undefined;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] = 'application/json';
    }
    if (opts.auth !== false) {
      const token = this.session?.accessToken ?? this.apiKey;
      if (token) headers.authorization = `Bearer ${token}`;
    }
    Object.assign(headers, opts.headers ?? {});
    let res: Response;
    try {
      res = await this.fetchImpl(url, { method, headers, body, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (e) {
      throw new LijiaoqiaoError({ status: 0, code: 'CONNECTION_ERROR', message: `cannot reach ${this.baseUrl}: ${String(e)}` });
    }
    const text = await res.text();
    if (!res.ok) {
      const err = LijiaoqiaoError.fromResponse(res.status, text, res.headers.get('x-request-id'));
      if (res.status === 401 && retry && opts.auth !== false && this.session?.refreshToken
          && !path.startsWith('/v1/auth/')) {
        try {
          await this.auth.refresh();
        } catch {
          throw err;
        }
        return this.request<T>(method, path, opts, false);
      }
      throw err;
    }
    if (opts.raw) return text as T;
    if (res.status === 204 || text === '') return undefined as T;
    return JSON.parse(text) as T;
  }
}

abstract class Resource {
  constructor(protected readonly c: Client) {}
}

export class Auth extends Resource {
  /** Signs in; the tokens are kept in the client (`client.session`) and sent from now on. */
  async login(email: string, password: string): Promise<Tokens> {
    const t = await this.c.request<Tokens>('POST', '/v1/auth/token', { body: { email, password }, auth: false });
    this.keep(t);
    return t;
  }

  /** Trades the kept refresh token (single-use) for new tokens. */
  async refresh(): Promise<Tokens> {
    const rt = this.c.session?.refreshToken;
    if (!rt) throw new LijiaoqiaoError({ status: 0, code: 'NO_SESSION', message: 'no refresh token: sign in first' });
    const t = await this.c.request<Tokens>('POST', '/v1/auth/refresh', { body: { refresh_token: rt }, auth: false });
    this.keep(t);
    return t;
  }

  /** Ends the session (refresh and access token) and forgets the tokens. */
  async logout(): Promise<void> {
    const s = this.c.session;
    if (!s) return;
    await this.c.request('POST', '/v1/auth/logout', {
      body: s.refreshToken ? { refresh_token: s.refreshToken } : {},
      headers: { authorization: `Bearer ${s.accessToken}` }, auth: false,
    });
    this.c.session = undefined;
  }

  /** Open registration (when the gateway allows it): `role` is `member` (default) or `supplier`. */
  register(input: { email: string; password: string; name?: string; role?: 'member' | 'supplier' }): Promise<User> {
    return this.c.request('POST', '/v1/auth/register', { body: clean(input), auth: false });
  }

  private keep(t: Tokens): void {
    this.c.session = { accessToken: t.access_token, refreshToken: t.refresh_token, expiresIn: t.expires_in };
  }
}

export class Users extends Resource {
  list(query: { status?: string; role?: string; q?: string; tenant_id?: number; page?: number; page_size?: number } = {}): Promise<Page<User>> {
    return this.c.request('GET', '/v1/users', { query });
  }

  get(id: number | string): Promise<User> {
    return this.c.request('GET', `/v1/users/${seg(id)}`);
  }

  /** `name`; `password` with `old_password` (self only); `role`. */
  update(id: number | string, fields: Record<string, unknown>): Promise<User> {
    return this.c.request('PUT', `/v1/users/${seg(id)}`, { body: clean(fields) });
  }

  /** Platform admins: `POST /admin/users`. */
  create(input: { email: string; password: string; name?: string; role?: string; tenant_id?: number }): Promise<User> {
    return this.c.request('POST', '/admin/users', { body: clean(input) });
  }
}

export class Keys extends Resource {
  list(query: { user_id?: number; status?: string; page?: number; page_size?: number } = {}): Promise<Page<ApiKey>> {
    return this.c.request('GET', '/v1/keys', { query });
  }

  /** 201 with `key`: the secret, shown only in this answer. */
  create(input: {
    name?: string; description?: string; allowed_models?: string[]; allowed_ips?: string[]; rpm_limit?: number;
    tpm_limit?: number; budget_day?: string; budget_week?: string; budget_month?: string; expires_at?: string;
    user_id?: number;
  } = {}): Promise<ApiKey & { key: string }> {
    return this.c.request('POST', '/v1/keys', { body: clean(input) });
  }

  /** A new secret (`key`); the old one stops working at once. */
  rotate(id: number | string): Promise<ApiKey & { key: string }> {
    return this.c.request('POST', `/v1/keys/${seg(id)}/rotate`);
  }

  async delete(id: number | string): Promise<void> {
    await this.c.request('DELETE', `/v1/keys/${seg(id)}`);
  }

  getBudget(id: number | string): Promise<Json> {
    return this.c.request('GET', `/v1/keys/${seg(id)}/budget`);
  }

  setBudget(id: number | string, budget: { day?: string | null; week?: string | null; month?: string | null }): Promise<Json> {
    return this.c.request('PUT', `/v1/keys/${seg(id)}/budget`, { body: budget });
  }
}

export interface UsageQuery {
  from?: string; to?: string; key_id?: number; model?: string; group_by?: 'day' | 'model' | 'key';
  page?: number; page_size?: number;
}

export class Billing extends Resource {
  balance(): Promise<Balance> {
    return this.c.request('GET', '/v1/billing/balance');
  }

  /** Usage records, or groups with `group_by`; `from`/`to` are dates or instants (UTC). */
  usage(query: UsageQuery = {}): Promise<Page> {
    return this.c.request('GET', '/v1/billing/usage', { query: { ...query } });
  }

  usageCsv(query: Omit<UsageQuery, 'page' | 'page_size'> = {}): Promise<string> {
    return this.c.request('GET', '/v1/billing/usage', { query: { ...query, format: 'csv' }, raw: true });
  }

  invoices(): Promise<Json> {
    return this.c.request('GET', '/v1/billing/invoices');
  }

  /** `period`: `YYYY-MM` (UTC). */
  invoice(period: string): Promise<Json> {
    return this.c.request('GET', `/v1/billing/invoices/${seg(period)}`);
  }

  invoiceCsv(period: string): Promise<string> {
    return this.c.request('GET', `/v1/billing/invoices/${seg(period)}`, { query: { format: 'csv' }, raw: true });
  }

  redeem(code: string): Promise<Json> {
    return this.c.request('POST', '/v1/billing/redeem', { body: { code } });
  }
}

/** `/v1/supply/*`: for users with the role `supplier`. */
export class Supply extends Resource {
  me(): Promise<SupplierMe> {
    return this.c.request('GET', '/v1/supply/me');
  }

  listAccounts(query: { page?: number; page_size?: number } = {}): Promise<Page> {
    return this.c.request('GET', '/v1/supply/accounts', { query });
  }

  createAccount(input: {
    name: string; vendor?: string; base_url?: string; credential?: string; api_key?: string;
    models?: string[] | Record<string, string>; rpm?: number; tpm?: number; max_concurrency?: number;
  }): Promise<Json> {
    return this.c.request('POST', '/v1/supply/accounts', { body: clean(input) });
  }

  getAccount(id: number | string): Promise<Json> {
    return this.c.request('GET', `/v1/supply/accounts/${seg(id)}`);
  }

  updateAccount(id: number | string, fields: Record<string, unknown>): Promise<Json> {
    return this.c.request('PUT', `/v1/supply/accounts/${seg(id)}`, { body: clean(fields) });
  }

  verifyAccount(id: number | string): Promise<Json> {
    return this.c.request('POST', `/v1/supply/accounts/${seg(id)}/verify`);
  }

  async deleteAccount(id: number | string): Promise<void> {
    await this.c.request('DELETE', `/v1/supply/accounts/${seg(id)}`);
  }

  listPackages(query: { status?: string; page?: number; page_size?: number } = {}): Promise<Page> {
    return this.c.request('GET', '/v1/supply/packages', { query });
  }

  createPackage(input: {
    account_id: number; name: string; quota_tokens: number; input_per_1m: string; output_per_1m: string;
    models?: string[]; cached_input_per_1m?: string; valid_days?: number; max_concurrency?: number; rpm?: number;
    public_name?: string; status?: 'active';
  }): Promise<Json> {
    return this.c.request('POST', '/v1/supply/packages', { body: clean(input) });
  }

  getPackage(id: number | string): Promise<Json> {
    return this.c.request('GET', `/v1/supply/packages/${seg(id)}`);
  }

  updatePackage(id: number | string, fields: Record<string, unknown>): Promise<Json> {
    return this.c.request('PUT', `/v1/supply/packages/${seg(id)}`, { body: clean(fields) });
  }

  earnings(query: {
    from?: string; to?: string; group_by?: 'day' | 'account' | 'package' | 'model'; account_id?: number;
    package_id?: number; model?: string;
  } = {}): Promise<Json> {
    return this.c.request('GET', '/v1/supply/earnings', { query });
  }

  earningsCsv(query: { from?: string; to?: string; group_by?: string } = {}): Promise<string> {
    return this.c.request('GET', '/v1/supply/earnings', { query: { ...query, format: 'csv' }, raw: true });
  }

  statement(month?: string): Promise<Json> {
    return this.c.request('GET', '/v1/supply/statements', { query: { month } });
  }

  listPayouts(query: { status?: string; page?: number; page_size?: number } = {}): Promise<Page> {
    return this.c.request('GET', '/v1/supply/payouts', { query });
  }

  requestPayout(amount: string, note?: string, idempotencyKey?: string): Promise<Json> {
    return this.c.request('POST', '/v1/supply/payouts', {
      body: clean({ amount, note }), headers: idempotencyKey ? { 'idempotency-key': idempotencyKey } : {},
    });
  }
}

/** `/v1/webhooks*`: for signed-in tenant admins and suppliers; `secret` comes with create and rotate only. */
export class Webhooks extends Resource {
  list(query: { page?: number; page_size?: number } = {}): Promise<Page<WebhookEndpoint>> {
    return this.c.request('GET', '/v1/webhooks', { query });
  }

  create(input: { url: string; event_types?: string[]; description?: string; enabled?: boolean }): Promise<WebhookEndpoint & { secret: string }> {
    return this.c.request('POST', '/v1/webhooks', { body: clean({ event_types: ['*'], ...input }) });
  }

  get(id: number | string): Promise<WebhookEndpoint> {
    return this.c.request('GET', `/v1/webhooks/${seg(id)}`);
  }

  update(id: number | string, fields: { url?: string; event_types?: string[]; description?: string; enabled?: boolean }): Promise<WebhookEndpoint> {
    return this.c.request('PUT', `/v1/webhooks/${seg(id)}`, { body: clean(fields) });
  }

  async delete(id: number | string): Promise<void> {
    await this.c.request('DELETE', `/v1/webhooks/${seg(id)}`);
  }

  rotateSecret(id: number | string): Promise<WebhookEndpoint & { secret: string }> {
    return this.c.request('POST', `/v1/webhooks/${seg(id)}/rotate-secret`);
  }

  deliveries(id: number | string, query: { status?: string; page?: number; page_size?: number } = {}): Promise<Page> {
    return this.c.request('GET', `/v1/webhooks/${seg(id)}/deliveries`, { query });
  }

  delivery(id: number | string, deliveryId: number | string): Promise<Json> {
    return this.c.request('GET', `/v1/webhooks/${seg(id)}/deliveries/${seg(deliveryId)}`);
  }

  redeliver(id: number | string, deliveryId: number | string): Promise<Json> {
    return this.c.request('POST', `/v1/webhooks/${seg(id)}/deliveries/${seg(deliveryId)}/redeliver`);
  }
}
