// Operator pages about the platform: providers (health, breakers per model, live latency and outcomes), prices,
// the risk review queue and supplier payouts.
import { useState } from 'preact/hooks';
import { call, qs } from '../api';
import { t } from '../i18n';
import { Badge, BarChart, bind, Card, Field, fmtInt, fmtTime, Loading, Notice, onSubmit, Page, Stat, Table, useAction, useLoad } from '../ui';
import { money } from './dashboard';

function ProviderStats(props: { id: string }) {
  const stats = useLoad(() => call(`/admin/providers/${encodeURIComponent(props.id)}/stats`), [props.id]);
  const s = stats.data;
  if (!s) return <Loading state={stats} />;
  const models = Object.entries(s.models || {}) as [string, any][];
  const outcomes = Object.entries(s.outcomes || {}) as [string, number][];
  const hist = Object.entries(s.latency_histogram_ms || {}) as [string, number][];
  return (
    <div class="provider-stats">
      <div class="stats">
        <Stat label={t('Breaker')} value={<Badge value={s.breaker} />} />
        <Stat label={t('Health')} value={<Badge value={s.health?.ok === true ? 'up' : s.health?.ok === false ? 'down' : 'unknown'} />} />
        <Stat label="p99" value={s.p99_ms == null ? '—' : Math.round(s.p99_ms) + ' ms'} />
        <Stat label={t('Availability')} value={s.availability == null ? '—' : (Number(s.availability) * 100).toFixed(1) + ' %'} />
      </div>
      <div class="grid2">
        <div>
          <h3>{t('Latency (ms buckets)')}</h3>
          <BarChart title={t('Latency (ms buckets)')} bars={hist.map(([k, v]) => ({ label: k.replace('le_', '≤'), value: v }))} />
        </div>
        <div>
          <h3>{t('Outcomes')}</h3>
          <BarChart title={t('Outcomes')} bars={outcomes.map(([k, v]) => ({ label: k, value: v }))} />
        </div>
      </div>
      <Table caption={t('Breaker per model')} rows={models} columns={[
        { label: t('Model'), render: ([m]) => m },
        { label: t('Breaker'), render: ([, v]) => <Badge value={v.breaker} /> },
        { label: t('Opens'), num: true, render: ([, v]) => fmtInt(v.breaker_opens) },
        { label: t('Last probe'), render: ([, v]) => (v.probe ? `${v.probe.result}${v.probe.status ? ' (' + v.probe.status + ')' : ''}` : '—') },
      ]} />
    </div>
  );
}

export function AdminProviders() {
  const providers = useLoad(() => call('/admin/providers' + qs({ page_size: 100 })), []);
  const [open, setOpen] = useState<string | null>(null);
  const action = useAction();
  const toggle = (p: any) => action.run(async () => {
    await call(`/admin/providers/${encodeURIComponent(p.id)}`, { method: 'PUT', body: { enabled: !p.enabled } });
    providers.reload();
  });
  return (
    <Page title={t('Providers')} actions={<button type="button" class="secondary" onClick={providers.reload}>{t('Refresh')}</button>}>
      <Loading state={providers} />
      <Notice error={action.error} />
      <Table caption={t('Providers')} rows={providers.data?.data} columns={[
        { label: 'ID', render: (p: any) => <code>{p.id}</code> },
        { label: t('Kind'), render: (p: any) => p.kind },
        { label: t('Base URL'), render: (p: any) => <code>{p.base_url}</code> },
        { label: t('Models'), num: true, render: (p: any) => fmtInt(Array.isArray(p.models) ? p.models.length : Object.keys(p.models || {}).length) },
        { label: t('Enabled'), render: (p: any) => <Badge value={p.enabled ? 'active' : 'disabled'} /> },
        { label: t('Source'), render: (p: any) => p.source || '—' },
        { label: t('Actions'), render: (p: any) => (
          <div class="row-actions">
            <button type="button" class="secondary" aria-expanded={open === p.id} onClick={() => setOpen(open === p.id ? null : p.id)}>{t('Live stats')}</button>
            <button type="button" class="secondary" onClick={() => toggle(p)}>{p.enabled ? t('Disable') : t('Enable')}</button>
          </div>) },
      ]} />
      {open && <Card title={t('Live stats: {id}', { id: open })}><ProviderStats id={open} /></Card>}
    </Page>
  );
}

export function AdminPrices() {
  const prices = useLoad(() => call('/admin/models' + qs({ page_size: 200 })), []);
  const [f, setF] = useState({ model: '', input: '', output: '', cached_input: '' });
  const set = (k: keyof typeof f) => bind((v) => setF({ ...f, [k]: v }));
  const action = useAction();
  const save = () => action.run(async () => {
    const body: Record<string, string> = { input: f.input, output: f.output };
    if (f.cached_input) body.cached_input = f.cached_input;
    await call('/admin/models/' + encodeURIComponent(f.model), { method: 'PUT', body });
    prices.reload();
  }, t('Price saved.'));
  return (
    <Page title={t('Prices')}>
      <Card title={t('Set a price (per 1M tokens)')}>
        <form class="form-grid" onSubmit={onSubmit(save)} aria-label={t('Set a price (per 1M tokens)')}>
          <Field label={t('Model')}><input required value={f.model} onInput={set('model')} /></Field>
          <Field label={t('Input')}><input inputMode="decimal" required value={f.input} onInput={set('input')} /></Field>
          <Field label={t('Output')}><input inputMode="decimal" required value={f.output} onInput={set('output')} /></Field>
          <Field label={t('Cached input')}><input inputMode="decimal" value={f.cached_input} onInput={set('cached_input')} /></Field>
          <div class="form-actions"><button type="submit" disabled={action.busy}>{t('Save')}</button></div>
        </form>
        <Notice error={action.error} ok={action.done} />
      </Card>
      <Loading state={prices} />
      <Table caption={t('Prices')} rows={prices.data?.data} columns={[
        { label: t('Model'), render: (p: any) => p.model },
        { label: t('Input'), num: true, render: (p: any) => p.input },
        { label: t('Output'), num: true, render: (p: any) => p.output },
        { label: t('Cached input'), num: true, render: (p: any) => p.cached_input ?? '—' },
        { label: t('Currency'), render: (p: any) => p.currency },
        { label: t('Actions'), render: (p: any) => <button type="button" class="secondary"
          onClick={() => setF({ model: p.model, input: p.input, output: p.output, cached_input: p.cached_input || '' })}>{t('Edit')}</button> },
      ]} />
    </Page>
  );
}

export function AdminRisk() {
  const [status, setStatus] = useState('open');
  const reviews = useLoad(() => call('/admin/risk/reviews' + qs({ status, limit: 100 })), [status]);
  const action = useAction();
  const resolve = (r: any, act: string) => action.run(async () => {
    await call(`/admin/risk/reviews/${r.id}/resolve`, { method: 'POST', body: { action: act, note: 'console' } });
    reviews.reload();
  }, t('Review resolved.'));
  return (
    <Page title={t('Risk reviews')}>
      <div class="filters">
        <Field label={t('Status')}>
          <select value={status} onChange={bind(setStatus)} data-testid="risk-status">
            <option value="open">{t('open')}</option>
            <option value="allowed">{t('allowed')}</option>
            <option value="blocked_key">{t('blocked_key')}</option>
            <option value="disabled_user">{t('disabled_user')}</option>
          </select>
        </Field>
      </div>
      <Notice error={action.error} ok={action.done} />
      <Loading state={reviews} />
      <Table caption={t('Risk reviews')} rows={reviews.data?.data} empty={t('No reviews here.')} columns={[
        { label: '#', render: (r: any) => String(r.id) },
        { label: t('Time'), render: (r: any) => fmtTime(r.created_at) },
        { label: t('Tenant / user / key'), render: (r: any) => `#${r.tenant_id ?? '—'} / #${r.user_id ?? '—'} / #${r.api_key_id ?? '—'}` },
        { label: t('Rules'), render: (r: any) => (r.rules || []).join(', ') },
        { label: t('Score'), num: true, render: (r: any) => String(r.score) },
        { label: t('Hits'), num: true, render: (r: any) => fmtInt(r.hits) },
        { label: t('Status'), render: (r: any) => <Badge value={r.status} /> },
        { label: t('Actions'), render: (r: any) => (r.status !== 'open' ? (r.note || '—') : (
          <div class="row-actions">
            <button type="button" class="secondary" onClick={() => resolve(r, 'allow')} data-testid={'allow-' + r.id}>{t('Allow')}</button>
            <button type="button" class="danger" onClick={() => resolve(r, 'block_key')}>{t('Block key')}</button>
            <button type="button" class="danger" onClick={() => resolve(r, 'disable_user')}>{t('Disable user')}</button>
          </div>)) },
      ]} />
    </Page>
  );
}

export function AdminPayouts() {
  const [status, setStatus] = useState('pending');
  const payouts = useLoad(() => call('/admin/payouts' + qs({ status, page_size: 100 })), [status]);
  const action = useAction();
  const decide = (p: any, next: string) => action.run(async () => {
    await call(`/admin/payouts/${p.id}`, { method: 'PUT', body: { status: next } });
    payouts.reload();
  }, t('Payout updated.'));
  return (
    <Page title={t('Payouts')}>
      <div class="filters">
        <Field label={t('Status')}>
          <select value={status} onChange={bind(setStatus)}>
            {['pending', 'approved', 'completed', 'failed', 'rejected'].map((s) => <option value={s}>{t(s)}</option>)}
          </select>
        </Field>
      </div>
      <Notice error={action.error} ok={action.done} />
      <Loading state={payouts} />
      <Table caption={t('Payouts')} rows={payouts.data?.data} columns={[
        { label: '#', render: (p: any) => String(p.id) },
        { label: t('Supplier'), render: (p: any) => '#' + p.supplier_id },
        { label: t('Amount'), num: true, render: (p: any) => money(p.amount) },
        { label: t('Status'), render: (p: any) => <Badge value={p.status} /> },
        { label: t('Requested'), render: (p: any) => fmtTime(p.created_at) },
        { label: t('Actions'), render: (p: any) => (
          <div class="row-actions">
            {p.status === 'pending' && <button type="button" class="secondary" onClick={() => decide(p, 'approved')}>{t('Approve')}</button>}
            {p.status === 'pending' && <button type="button" class="danger" onClick={() => decide(p, 'rejected')}>{t('Reject')}</button>}
            {p.status === 'approved' && <button type="button" class="secondary" onClick={() => decide(p, 'completed')}>{t('Mark paid')}</button>}
            {p.status === 'approved' && <button type="button" class="danger" onClick={() => decide(p, 'failed')}>{t('Mark failed')}</button>}
          </div>) },
      ]} />
    </Page>
  );
}

export function AdminSuppliers() {
  const [status, setStatus] = useState('pending');
  const suppliers = useLoad(() => call('/admin/suppliers' + qs({ status, page_size: 100 })), [status]);
  const action = useAction();
  const decide = (s: any, next: string) => action.run(async () => {
    await call(`/admin/suppliers/${s.supplier_id}`, { method: 'PUT', body: { status: next } });
    suppliers.reload();
  }, next === 'approved' ? t('Supplier approved.') : t('Supplier suspended.'));
  return (
    <Page title={t('Suppliers')}>
      <div class="filters">
        <Field label={t('Status')}>
          <select value={status} onChange={bind(setStatus)}>
            {['pending', 'approved', 'suspended'].map((s) => <option value={s}>{t(s)}</option>)}
          </select>
        </Field>
      </div>
      <Notice error={action.error} ok={action.done} />
      <Loading state={suppliers} />
      <Table caption={t('Suppliers')} rows={suppliers.data?.data} empty={t('No suppliers here.')} columns={[
        { label: t('Tenant'), render: (s: any) => '#' + s.supplier_id },
        { label: t('Name'), render: (s: any) => s.name || '—' },
        { label: t('Status'), render: (s: any) => <Badge value={s.status} /> },
        { label: t('Accrued'), num: true, render: (s: any) => money(s.earnings?.accrued) },
        { label: t('Available'), num: true, render: (s: any) => money(s.earnings?.available) },
        { label: t('Requests served'), num: true, render: (s: any) => fmtInt(s.requests_served) },
        { label: t('Actions'), render: (s: any) => (
          <div class="row-actions">
            {s.status !== 'approved' && <button type="button" class="secondary" onClick={() => decide(s, 'approved')}
              data-testid={'approve-supplier-' + s.supplier_id}>{t('Approve')}</button>}
            {s.status === 'approved' && <button type="button" class="danger" onClick={() => decide(s, 'suspended')}>{t('Suspend')}</button>}
          </div>) },
      ]} />
    </Page>
  );
}
