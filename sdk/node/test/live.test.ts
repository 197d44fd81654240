// Against a live gateway (LJQ_BASE_URL and the credentials SdkAgainstDemoTest passes in).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { Client, LijiaoqiaoError, verifyWebhookSignature } from '../src/index.js';

const BASE = process.env.LJQ_BASE_URL;

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
}

async function signedIn(who = 'TENANT_ADMIN'): Promise<Client> {
  const c = new Client(BASE!);
  await c.auth.login(env(`LJQ_${who}_EMAIL`), env(`LJQ_${who}_PASSWORD`));
  return c;
}

async function refused(p: Promise<unknown>): Promise<LijiaoqiaoError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof LijiaoqiaoError, `expected a LijiaoqiaoError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the call to be refused');
}

describe('live gateway', { skip: !BASE && 'LJQ_BASE_URL not set: no live gateway' }, () => {
  test('sign in, refresh, logout', async () => {
    const c = await signedIn();
    const first = c.session!.refreshToken;
    const t = await c.auth.refresh();
    assert.equal(t.token_type, 'Bearer');
    assert.notEqual(c.session!.refreshToken, first);
    assert.ok(Array.isArray((await c.keys.list()).data));
    const session = c.session!;
    await c.auth.logout();
    assert.equal(c.session, undefined);
    const e = await refused(new Client(BASE!, { session }).auth.refresh());
    assert.equal(e.status, 401);
  });

  test('a wrong password maps the error envelope', async () => {
    const c = new Client(BASE!);
    const e = await refused(c.auth.login(env('LJQ_TENANT_ADMIN_EMAIL'), `wrong-${randomUUID()}`));
    assert.equal(e.status, 401);
    assert.equal(e.code, 'AUTH_001');
    assert.ok(e.message);
    assert.ok(e.traceId?.startsWith('req_'));
    assert.equal(c.session, undefined);
  });

  test('keys: create, list, rotate, delete', async () => {
    const c = await signedIn();
    const created = await c.keys.create({ name: 'sdk-node', description: 'made by the Node SDK test', rpm_limit: 100 });
    assert.ok(created.key.startsWith('lgw-'));
    const mine = (await c.keys.list({ page_size: 200 })).data.filter((k) => k.id === created.id);
    assert.equal(mine.length, 1);
    assert.equal(mine[0].key, undefined, 'a list never carries the secret');
    assert.ok('available' in await new Client(BASE!, { apiKey: created.key }).billing.balance());
    const rotated = await c.keys.rotate(created.id);
    assert.notEqual(rotated.key, created.key);
    assert.equal((await refused(new Client(BASE!, { apiKey: created.key }).billing.balance())).status, 401);
    await c.keys.delete(created.id);
    assert.equal((await refused(new Client(BASE!, { apiKey: rotated.key }).billing.balance())).status, 401);
  });

  test('billing: balance, usage, invoices', async () => {
    const c = new Client(BASE!, { apiKey: env('LJQ_API_KEY') });
    const b = await c.billing.balance();
    for (const f of ['tenant_id', 'currency', 'balance', 'reserved', 'available']) assert.ok(f in b, f);
    assert.ok(Number(b.balance) > 0);
    const usage = await c.billing.usage({ from: '2020-01-01', page_size: 50 });
    assert.ok(usage.data.length >= 1, 'the test gateway served a request before');
    const byModel = await c.billing.usage({ from: '2020-01-01', group_by: 'model' });
    assert.ok(byModel.data.some((g) => g.model));
    assert.ok((await c.billing.usageCsv({ from: '2020-01-01' })).split('\n')[0].includes(','));
    const e = await refused(c.billing.usage({ from: 'not-a-date' }));
    assert.deepEqual([e.status, e.code, e.details.field], [400, 'COMMON_001', 'from']);
    assert.ok(Array.isArray((await c.billing.invoices()).data));
    const month = new Date().toISOString().slice(0, 7);
    assert.equal(typeof await c.billing.invoice(month), 'object');
    assert.ok((await c.billing.invoiceCsv(month)).trim().length > 0);
    assert.equal((await (await signedIn()).billing.balance()).tenant_id, b.tenant_id);
  });

  test('users', async () => {
    const admin = await signedIn('ADMIN');
    assert.ok((await admin.users.list({ page_size: 200 })).data.some((u) => u.email === env('LJQ_ADMIN_EMAIL')));
    const ta = await signedIn();
    const me = (await ta.users.list()).data.find((u) => u.email === env('LJQ_TENANT_ADMIN_EMAIL'))!;
    assert.equal((await ta.users.get(me.id)).id, me.id);
  });

  test('webhooks', async () => {
    const c = await signedIn();
    const e = await refused(c.webhooks.create({ url: 'http://10.0.0.1/x' }));
    assert.deepEqual([e.status, e.code, e.details.field], [400, 'COMMON_001', 'url']);
    const ep = await c.webhooks.create({ url: 'http://127.0.0.1:9/sdk-node', event_types: ['billing.low_balance'], description: 'sdk test' });
    assert.ok(ep.secret.startsWith('whsec_'));
    assert.ok((await c.webhooks.list()).data.some((w) => w.id === ep.id));
    const got = await c.webhooks.get(ep.id);
    assert.equal(got.secret, undefined);
    assert.deepEqual(got.event_types, ['billing.low_balance']);
    assert.equal((await c.webhooks.update(ep.id, { event_types: ['*'], description: 'changed' })).description, 'changed');
    const rotated = await c.webhooks.rotateSecret(ep.id);
    assert.notEqual(rotated.secret, ep.secret);
    assert.deepEqual((await c.webhooks.deliveries(ep.id)).data, []);
    const nf = await refused(c.webhooks.redeliver(ep.id, 999999999));
    assert.deepEqual([nf.status, nf.code], [404, 'COMMON_002']);
    await c.webhooks.delete(ep.id);
    assert.equal((await refused(c.webhooks.get(ep.id))).status, 404);
    assert.equal((await refused(new Client(BASE!, { apiKey: env('LJQ_API_KEY') }).webhooks.list())).status, 403);
  });

  test('a webhook signature made by the gateway', () => {
    assert.equal(verifyWebhookSignature(env('LJQ_WEBHOOK_SECRET'), env('LJQ_WEBHOOK_SIGNATURE'), env('LJQ_WEBHOOK_BODY')), true);
  });

  test('supply as a supplier', async () => {
    const s = await signedIn('SUPPLIER');
    const me = await s.supply.me();
    assert.equal(me.status, 'approved');
    assert.ok('available' in me.earnings);
    const account = await s.supply.createAccount({
      name: 'sdk-node', vendor: 'openai-compatible', base_url: env('LJQ_SIM_BASE_URL'), credential: 'sk-sdk-node',
      models: { [env('LJQ_MARKET_MODEL')]: 'gpt-4o-mini' },
    });
    assert.equal(account.status, 'active');
    assert.equal(account.has_credential, true);
    assert.equal(account.credential, undefined);
    assert.ok((await s.supply.listAccounts()).data.some((a) => a.id === account.id));
    assert.equal((await s.supply.getAccount(account.id)).id, account.id);
    const pkg = await s.supply.createPackage({
      account_id: account.id, name: 'sdk-node package', quota_tokens: 1_000_000, input_per_1m: '0.10',
      output_per_1m: '0.20', public_name: `sdk-node-${randomUUID().slice(0, 8)}`,
    });
    assert.equal(pkg.status, 'draft');
    assert.ok((await s.supply.listPackages({ status: 'draft' })).data.some((p) => p.id === pkg.id));
    assert.equal((await s.supply.getPackage(pkg.id)).id, pkg.id);
    assert.equal(typeof await s.supply.earnings({ group_by: 'package' }), 'object');
    assert.ok((await s.supply.earningsCsv()).trim().length > 0);
    assert.ok('month' in await s.supply.statement());
    assert.ok(Array.isArray((await s.supply.listPayouts()).data));
    const e = await refused(s.supply.requestPayout('1000.00', 'more than available', randomUUID()));
    assert.ok(e.status >= 400 && e.status < 500);
    const other = await refused((await signedIn()).supply.me());
    assert.deepEqual([other.status, other.code], [403, 'AUTH_002']);
  });
});
