// The SDK's ROUTES are kept in step with the gateway: each is documented, and each answers on a live gateway.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ROUTES } from '../src/index.js';

const DOCS = ['api.md', 'billing.md', 'marketplace.md', 'webhooks.md'];
const shape = (t: string) => t.replace(/\{[^}]*\}/g, '{}');

function documentedRoutes(): Set<string> {
  const out = new Set<string>();
  for (const name of DOCS) {
    const text = readFileSync(new URL(`../../../../docs/${name}`, import.meta.url), 'utf8');
    for (const line of text.split('\n')) {
      if (!line.startsWith('|')) continue;
      const cell = line.split('|')[1] ?? '';
      for (const m of cell.matchAll(/`(GET|POST|PUT|DELETE|PATCH) (\/[^` ?]*)/g)) out.add(`${m[1]} ${shape(m[2])}`);
    }
  }
  return out;
}

test('every route the SDK wraps is documented', () => {
  const documented = documentedRoutes();
  assert.deepEqual(ROUTES.filter(([m, p]) => !documented.has(`${m} ${shape(p)}`)), []);
});

test('no duplicates', () => {
  assert.equal(new Set(ROUTES.map(([m, p]) => `${m} ${p}`)).size, ROUTES.length);
});

test('every route exists on the gateway', { skip: !process.env.LJQ_BASE_URL && 'LJQ_BASE_URL not set' }, async () => {
  const base = process.env.LJQ_BASE_URL!.replace(/\/+$/, '').replace(/\/v1$/, '');
  const missing: string[] = [];
  for (const [method, template] of ROUTES) {
    const path = template.replace(/\{[a-z_]+\}/g, (p) => (p === '{period}' ? '2026-01' : '999999999'));
    // A credential shaped like a session token (three dot-separated parts) but invalid: the management router
    // answers it, so an unknown path is 404 "No such endpoint" (or 405), a known one 400/401.
    const res = await fetch(base + path, {
      method, headers: { authorization: 'Bearer x.y.z', 'content-type': 'application/json' },
      body: method === 'POST' || method === 'PUT' ? '{}' : undefined,
    });
    const text = await res.text();
    let message = '';
    try { message = JSON.parse(text).error.message; } catch { /* not JSON */ }
    if (res.status === 405 || (res.status === 404 && message.startsWith('No such endpoint'))) {
      missing.push(`${method} ${template}: ${res.status} ${message}`);
    }
  }
  assert.deepEqual(missing, []);
});
