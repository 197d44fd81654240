import { createHmac, timingSafeEqual } from 'node:crypto';

/** The `v1` value: hex HMAC-SHA256 keyed with the whole secret (`whsec_` included) over `<timestamp>.<raw body>`. */
export function computeWebhookSignature(secret: string, timestamp: number, body: string | Uint8Array): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

/** An `X-Webhook-Signature` value (`t=<ts>,v1=<hex>`), as the gateway sends it (for tests of your receiver). */
export function signWebhook(secret: string, body: string | Uint8Array, timestamp = Math.floor(Date.now() / 1000)): string {
  return `t=${timestamp},v1=${computeWebhookSignature(secret, timestamp, body)}`;
}

/**
 * True when `header` (the `X-Webhook-Signature` value) signs the **raw** `body` with `secret` and its timestamp is
 * within `toleranceSeconds` of `nowSeconds` (default: the clock), compared in constant time (docs/webhooks.md).
 */
export function verifyWebhookSignature(secret: string, header: string | null | undefined, body: string | Uint8Array,
                                       toleranceSeconds = 300, nowSeconds = Date.now() / 1000): boolean {
  if (!header) return false;
  const parts: Record<string, string> = {};
  for (const p of header.split(',')) {
    const i = p.indexOf('=');
    if (i >= 0) parts[p.slice(0, i)] = p.slice(i + 1);
  }
  if (parts.t === undefined || !/^[+-]?\d+$/.test(parts.t.trim())) return false;
  const ts = Number(parts.t);
  if (!Number.isSafeInteger(ts) || Math.abs(nowSeconds - ts) > toleranceSeconds) return false;
  const expected = Buffer.from(computeWebhookSignature(secret, ts, body), 'utf8');
  const given = Buffer.from(parts.v1 ?? '', 'utf8');
  return given.length === expected.length && timingSafeEqual(expected, given);
}
