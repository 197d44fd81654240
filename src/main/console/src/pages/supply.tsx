// The supplier's pages: earnings over time, upstream accounts (registered with a live probe), packages, statements
// and payout requests.
import { useState } from 'preact/hooks';
import { call, download, idempotencyKey, qs } from '../api';
import { t } from '../i18n';
import { Badge, BarChart, bind, Card, Field, fmtInt, fmtTime, Loading, Notice, onSubmit, Page, Stat, Table, useAction,
  useLoad } from '../ui';
import { money } from './dashboard';

/** "public=upstream, other" → {"public":"upstream","other":"other"}, or a plain list when no name is mapped. */
export function modelsOf(text: string): Record<string, string> | string[] {
  const items = text.split(/[\n,]+/).map((s) => s.trim()).filter(Boolean);
  if (!items.some((i) => i.includes('='))) return items;
  const out: Record<string, string> = {};
  for (const i of items) {
    const [pub, up] = i.split('=').map((s) => s.trim());
    out[pub] = up || pub;
  }
  return out;
}

function modelsText(m: unknown): string {
  if (!m) return '—';
  if (Array.isArray(m)) return m.join(', ');
  return Object.entries(m as Record<string, string>).map(([k, v]) => (k === v ? k : `${k} → ${v}`)).join(', ');
}

export function SupplyOverview() {
  const me = useLoad(() => call('/v1/supply/me'), []);
  const from = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
  const byDay = useLoad(() => call('/v1/supply/earnings' + qs({ group_by: 'day', from })), []);
  const byModel = useLoad(() => call('/v1/supply/earnings' + qs({ group_by: 'model', from })), []);
  const e = me.data?.earnings;
  return (
    <Page title={t('Earnings')}>
      <Loading state={me} />
      {me.data && (
        <div class="stats">
          <Stat label={t('Supplier status')} value={<Badge value={me.data.status} />} />
          <Stat label={t('Accrued')} value={money(e?.accrued)} />
          <Stat label={t('Pending (hold)')} value={money(e?.pending)} />
          <Stat label={t('Available')} value={money(e?.available)} testId="supply-available" />
          <Stat label={t('Paid out')} value={money(e?.paid)} />
          <Stat label={t('Requests served')} value={fmtInt(me.data.requests_served)} />
        </div>
      )}
      <div class="grid2">
        <Card title={t('Earnings by day')}>
          <Loading state={byDay} />
          <BarChart title={t('Earnings by day')} format={(v) => money(v)}
            bars={(byDay.data?.data || []).map((r: any) => ({ label: String(r.day), value: Number(r.amount) }))} />
        </Card>
        <Card title={t('Earnings by model')}>
          <BarChart title={t('Earnings by model')} format={(v) => money(v)}
            bars={(byModel.data?.data || []).map((r: any) => ({ label: String(r.model), value: Number(r.amount) }))} />
        </Card>
      </div>
    </Page>
  );
}

export function SupplyAccounts() {
  const accounts = useLoad(() => call('/v1/supply/accounts' + qs({ page_size: 100 })), []);
  const [name, setName] = useState('');
  const [vendor, setVendor] = useState('openai-compatible');
  const [baseUrl, setBaseUrl] = useState('');
  const [credential, setCredential] = useState('');
  const [models, setModels] = useState('');
  const [probe, setProbe] = useState<any>(null);
  const action = useAction();
  const register = () => action.run(async () => {
    setProbe(null);
    const created = await call('/v1/supply/accounts', { method: 'POST',
      body: { name, vendor, base_url: baseUrl, credential, models: modelsOf(models) } });
    setCredential('');
    setProbe(created);
    accounts.reload();
  });
  const verify = (id: number) => action.run(async () => {
    setProbe(await call(`/v1/supply/accounts/${id}/verify`, { method: 'POST' }));
    accounts.reload();
  });
  return (
    <Page title={t('Upstream accounts')}>
      <Card title={t('Register an account')}>
        <form class="form-grid" onSubmit={onSubmit(register)} aria-label={t('Register an account')}>
          <Field label={t('Name')}><input name="name" required value={name} onInput={bind(setName)} /></Field>
          <Field label={t('Vendor')}>
            <select name="vendor" value={vendor} onChange={bind(setVendor)}>
              <option value="openai-compatible">OpenAI-compatible</option>
              <option value="openai">OpenAI</option>
              <option value="anthropic">Anthropic</option>
              <option value="deepseek">DeepSeek</option>
              <option value="qwen">Qwen</option>
              <option value="moonshot">Moonshot</option>
              <option value="zhipu">Zhipu</option>
            </select>
          </Field>
          <Field label={t('Base URL')}><input name="base_url" type="url" required value={baseUrl} onInput={bind(setBaseUrl)} placeholder="https://api.example.com/v1" /></Field>
          <Field label={t('API key of the account')} hint={t('Encrypted at rest; never shown again.')}>
            <input name="credential" type="password" autoComplete="off" required value={credential} onInput={bind(setCredential)} />
          </Field>
          <Field label={t('Models')} hint={t('public=upstream pairs or names, comma-separated.')} wide>
            <input name="models" required value={models} onInput={bind(setModels)} placeholder="my-mini=gpt-4o-mini" />
          </Field>
          <div class="form-actions"><button type="submit" disabled={action.busy} data-testid="register-account">
            {action.busy ? t('Probing the upstream…') : t('Register and probe')}</button></div>
        </form>
        <Notice error={action.error} />
        {probe && (
          <p class="notice ok" role="status" data-testid="probe-result">
            {t('Account {name}: {status}. Probe: {result}', { name: probe.name, status: t(probe.status), result: probe.probe_result || '—' })}
          </p>
        )}
      </Card>
      <Loading state={accounts} />
      <Table caption={t('Upstream accounts')} rows={accounts.data?.data} columns={[
        { label: t('Name'), render: (a: any) => a.name },
        { label: t('Vendor'), render: (a: any) => a.vendor || a.kind },
        { label: t('Base URL'), render: (a: any) => <code>{a.base_url}</code> },
        { label: t('Models'), render: (a: any) => modelsText(a.models) },
        { label: t('Status'), render: (a: any) => <><Badge value={a.status} /> {a.status_reason ? <span class="muted">{a.status_reason}</span> : null}</> },
        { label: t('Health'), render: (a: any) => (a.live ? <Badge value={a.live.breaker || (a.live.health?.ok ? 'ok' : 'unknown')} /> : '—') },
        { label: t('Last probe'), render: (a: any) => `${fmtTime(a.probed_at)} · ${a.probe_result || '—'}` },
        { label: t('Actions'), render: (a: any) => <button type="button" class="secondary" onClick={() => verify(a.id)}>{t('Probe again')}</button> },
      ]} />
    </Page>
  );
}

export function SupplyPackages() {
  const packages = useLoad(() => call('/v1/supply/packages' + qs({ page_size: 100 })), []);
  const me = useLoad(() => call('/v1/supply/me'), []);
  const approved = me.data?.status === 'approved';
  const accounts = useLoad(() => call('/v1/supply/accounts' + qs({ page_size: 100 })), []);
  const [form, setForm] = useState({ account_id: '', name: '', public_name: '', quota_tokens: '1000000', input_per_1m: '', output_per_1m: '', valid_days: '30', status: 'active' });
  const set = (k: keyof typeof form) => bind((v) => setForm({ ...form, [k]: v }));
  const action = useAction();
  const create = () => action.run(async () => {
    const accountId = form.account_id || String(accounts.data?.data?.[0]?.id ?? '');
    const body: Record<string, unknown> = { account_id: Number(accountId), name: form.name, quota_tokens: Number(form.quota_tokens),
      input_per_1m: form.input_per_1m, output_per_1m: form.output_per_1m, valid_days: Number(form.valid_days),
      status: approved ? form.status : 'draft' };
    if (form.public_name) body.public_name = form.public_name;
    await call('/v1/supply/packages', { method: 'POST', body });
    packages.reload();
  }, t('Package created.'));
  const setStatus = (id: number, status: string) => action.run(async () => {
    await call(`/v1/supply/packages/${id}`, { method: 'PUT', body: { status } });
    packages.reload();
  });
  return (
    <Page title={t('Packages')}>
      <Card title={t('Create a package')}>
        {me.data && !approved && <p class="notice" role="status">{t('Your supplier account awaits an operator\'s approval: packages stay drafts until then.')}</p>}
        <form class="form-grid" onSubmit={onSubmit(create)} aria-label={t('Create a package')}>
          <Field label={t('Account')}>
            <select name="account_id" value={form.account_id} onChange={set('account_id')}>
              {(accounts.data?.data || []).map((a: any) => <option value={String(a.id)}>{a.name + ' (' + t(a.status) + ')'}</option>)}
            </select>
          </Field>
          <Field label={t('Name')}><input name="name" required value={form.name} onInput={set('name')} /></Field>
          <Field label={t('Public name')} hint={t('How routing names the package.')}><input name="public_name" value={form.public_name} onInput={set('public_name')} /></Field>
          <Field label={t('Token quota')}><input name="quota_tokens" type="number" min={1} required value={form.quota_tokens} onInput={set('quota_tokens')} /></Field>
          <Field label={t('Input price per 1M')}><input name="input_per_1m" inputMode="decimal" required value={form.input_per_1m} onInput={set('input_per_1m')} /></Field>
          <Field label={t('Output price per 1M')}><input name="output_per_1m" inputMode="decimal" required value={form.output_per_1m} onInput={set('output_per_1m')} /></Field>
          <Field label={t('Valid days')}><input name="valid_days" type="number" min={1} value={form.valid_days} onInput={set('valid_days')} /></Field>
          <Field label={t('Status')}>
            <select name="status" value={form.status} onChange={set('status')}>
              <option value="active">{t('active')}</option>
              <option value="draft">{t('draft')}</option>
            </select>
          </Field>
          <div class="form-actions"><button type="submit" disabled={action.busy} data-testid="create-package">{t('Create package')}</button></div>
        </form>
        <Notice error={action.error} ok={action.done} />
      </Card>
      <Loading state={packages} />
      <Table caption={t('Packages')} rows={packages.data?.data} columns={[
        { label: t('Name'), render: (p: any) => p.name },
        { label: t('Models'), render: (p: any) => modelsText(p.models) },
        { label: t('Status'), render: (p: any) => <Badge value={p.status} /> },
        { label: t('Quota left'), num: true, render: (p: any) => `${fmtInt(p.remaining_tokens)} / ${fmtInt(p.quota_tokens)}` },
        { label: t('Price in/out per 1M'), num: true, render: (p: any) => `${p.input_per_1m} / ${p.output_per_1m}` },
        { label: t('Expires'), render: (p: any) => fmtTime(p.expires_at) },
        { label: t('Actions'), render: (p: any) => (
          <div class="row-actions">
            {p.status === 'active' && <button type="button" class="secondary" onClick={() => setStatus(p.id, 'paused')}>{t('Pause')}</button>}
            {(p.status === 'paused' || p.status === 'draft') && approved && <button type="button" class="secondary" onClick={() => setStatus(p.id, 'active')}>{t('Activate')}</button>}
          </div>) },
      ]} />
    </Page>
  );
}

export function SupplyPayouts() {
  const [month, setMonth] = useState(new Date().toISOString().slice(0, 7));
  const statement = useLoad(() => call('/v1/supply/statements' + qs({ month })), [month]);
  const payouts = useLoad(() => call('/v1/supply/payouts' + qs({ page_size: 50 })), []);
  const [amount, setAmount] = useState('');
  const action = useAction();
  const request = () => action.run(async () => {
    await call('/v1/supply/payouts', { method: 'POST', body: { amount }, headers: { 'idempotency-key': idempotencyKey() } });
    setAmount('');
    payouts.reload();
  }, t('Payout requested.'));
  return (
    <Page title={t('Statements & payouts')}>
      <Card title={t('Monthly statement')}>
        <div class="filters">
          <Field label={t('Month')}><input type="month" value={month} onInput={bind(setMonth)} /></Field>
          <button type="button" class="secondary" onClick={() => action.run(() => download(`/v1/supply/statements?month=${month}&format=csv`, `statement-${month}.csv`))}>
            {t('Download CSV')}</button>
        </div>
        <Loading state={statement} />
        {statement.data && <p>{t('Earnings in {month}: {amount}', { month, amount: money(statement.data.earnings, statement.data.currency) })}</p>}
        <Table caption={t('By package')} rows={statement.data?.by_package} columns={[
          { label: t('Package'), render: (r: any) => String(r.package_name ?? r.package_id ?? r.package ?? '—') },
          { label: t('Requests'), num: true, render: (r: any) => fmtInt(r.requests) },
          { label: t('Tokens'), num: true, render: (r: any) => fmtInt(r.tokens) },
          { label: t('Amount'), num: true, render: (r: any) => money(r.amount) },
        ]} />
      </Card>
      <Card title={t('Request a payout')}>
        <form class="stack narrow" onSubmit={onSubmit(request)}>
          <Field label={t('Amount')}><input inputMode="decimal" required value={amount} onInput={bind(setAmount)} /></Field>
          <button type="submit" disabled={action.busy}>{t('Request payout')}</button>
        </form>
        <Notice error={action.error} ok={action.done} />
      </Card>
      <Loading state={payouts} />
      <Table caption={t('Payouts')} rows={payouts.data?.data} columns={[
        { label: '#', render: (p: any) => String(p.id) },
        { label: t('Amount'), num: true, render: (p: any) => money(p.amount) },
        { label: t('Status'), render: (p: any) => <Badge value={p.status} /> },
        { label: t('Reference'), render: (p: any) => p.reference || '—' },
        { label: t('Requested'), render: (p: any) => fmtTime(p.created_at) },
      ]} />
    </Page>
  );
}
