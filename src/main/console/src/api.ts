// The management API client and the session. The access token lives in this module's memory only (never in
// localStorage or a readable cookie); the refresh token lives in the gateway's HttpOnly, SameSite=Strict cookie
// `ljq_refresh` (Path=/v1/auth), which no script can read. A reload signs in again through that cookie.

export type Role = 'admin' | 'tenant_admin' | 'member' | 'supplier';

export interface Session {
  userId: number;
  tenantId: number;
  role: Role;
  expiresAt: number;
}

export interface I18nText { zh_CN?: string; en_US?: string }

/** An error answer in the gateway's shape: {"error":{code,message,message_i18n,…}}. */
export class ApiError extends Error {
  constructor(public status: number, public code: string, message: string, public i18n: I18nText | null,
              public traceId: string | null) {
    super(message);
  }
}

let accessToken: string | null = null;
let session: Session | null = null;
let refreshTimer: number | undefined;
const listeners = new Set<(s: Session | null) => void>();

export function currentSession(): Session | null {
  return session;
}

export function onSession(fn: (s: Session | null) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function setSession(token: string | null, expiresIn = 0) {
  accessToken = token;
  session = token ? decode(token, expiresIn) : null;
  window.clearTimeout(refreshTimer);
  if (token) {
    // Refresh a little before the access token expires (at 80 % of its life, at least 10 s from now).
    refreshTimer = window.setTimeout(() => { refresh().catch(() => setSession(null)); },
      Math.max(10, expiresIn * 0.8) * 1000);
  }
  listeners.forEach((fn) => fn(session));
}

function decode(token: string, expiresIn: number): Session {
  const part = token.split('.')[1] || '';
  const json = JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/')));
  return { userId: Number(json.sub), tenantId: Number(json.tid), role: json.role as Role,
    expiresAt: Date.now() + expiresIn * 1000 };
}

async function errorOf(res: Response): Promise<ApiError> {
  let body: any = null;
  try { body = await res.json(); } catch { /* not JSON */ }
  const e = body && (body.error || body);
  if (e && typeof e.message === 'string') {
    return new ApiError(res.status, String(e.code || res.status), e.message, e.message_i18n || null, e.trace_id || null);
  }
  return new ApiError(res.status, String(res.status), res.statusText || 'HTTP ' + res.status, null, null);
}

async function post(path: string, body: unknown, auth = false): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (auth && accessToken) headers.authorization = 'Bearer ' + accessToken;
  return fetch(path, { method: 'POST', headers, body: JSON.stringify(body), credentials: 'same-origin', cache: 'no-store' });
}

export async function signIn(email: string, password: string): Promise<Session> {
  const res = await post('/v1/auth/token', { email, password, session_cookie: true });
  if (!res.ok) throw await errorOf(res);
  const t = await res.json();
  setSession(t.access_token, t.expires_in);
  return session!;
}

/** One refresh at a time across the browser's tabs (the cookie's token is single-use: a race would end the session). */
export async function refresh(): Promise<Session> {
  const run = async () => {
    const res = await post('/v1/auth/refresh', { session_cookie: true });
    if (!res.ok) throw await errorOf(res);
    const t = await res.json();
    setSession(t.access_token, t.expires_in);
    return session!;
  };
  const locks = (navigator as any).locks;
  return locks ? locks.request('ljq-console-refresh', run) : run();
}

/** Resumes a session from the cookie at start-up; false when there is none. */
export async function resume(): Promise<boolean> {
  try {
    await refresh();
    return true;
  } catch {
    return false;
  }
}

export async function signOut(): Promise<void> {
  try {
    await post('/v1/auth/logout', { session_cookie: true }, true);
  } finally {
    setSession(null);
  }
}

export interface CallOptions {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  raw?: boolean;
}

/** A management API call with the session's token; one refresh and retry on 401. */
export async function call<T = any>(path: string, opts: CallOptions = {}): Promise<T> {
  const res = await send(path, opts);
  if (opts.raw) return res as unknown as T;
  if (res.status === 204) return undefined as T;
  return res.json();
}

async function send(path: string, opts: CallOptions, retried = false): Promise<Response> {
  const headers: Record<string, string> = { ...(opts.headers || {}) };
  if (accessToken) headers.authorization = 'Bearer ' + accessToken;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method: opts.method || 'GET', headers, cache: 'no-store', credentials: 'same-origin',
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  if (res.status === 401 && !retried && accessToken) {
    try {
      await refresh();
    } catch {
      setSession(null);
      throw await errorOf(res);
    }
    return send(path, opts, true);
  }
  if (!res.ok) throw await errorOf(res);
  return res;
}

/** Downloads a CSV answer as a file (fetched with the token, saved through a blob URL). */
export async function download(path: string, filename: string): Promise<void> {
  const res = await send(path, {});
  saveBlob(await res.blob(), filename);
}

/**
 * Downloads every page of a paged CSV answer as one file (the API pages CSV like JSON, at most 200 rows a page):
 * the header line once, then each page's rows; at most maxPages pages.
 */
export async function downloadAllPages(path: string, total: number, filename: string, maxPages = 50): Promise<void> {
  const size = 200;
  const pages = Math.min(maxPages, Math.max(1, Math.ceil(total / size)));
  const sep = path.includes('?') ? '&' : '?';
  let out = '';
  for (let p = 1; p <= pages; p++) {
    const text = await (await send(`${path}${sep}page=${p}&page_size=${size}`, {})).text();
    const body = p === 1 ? text : text.slice(text.indexOf('\n') + 1);
    out += body.endsWith('\n') || body === '' ? body : body + '\n';
  }
  saveBlob(new Blob([out], { type: 'text/csv;charset=utf-8' }), filename);
}

function saveBlob(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Builds a query string from the set values. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  }
  const s = u.toString();
  return s ? '?' + s : '';
}

/** A fresh random Idempotency-Key. */
export function idempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16)); // randomUUID needs a secure context; this does not
  return 'console-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
