// Usage explorer (filters, grouping, CSV), invoices (list, details, CSV) and redeeming a top-up code.
import { useState } from 'preact/hooks';
import { call, download, downloadAllPages, qs } from '../api';
import { t } from '../i18n';
import { bind, Card, Field, fmtInt, fmtTime, isoOf, Loading, Notice, onSubmit, Page, Pager, Table, useAction, useLoad } from '../ui';
import { money } from './dashboard';

interface Filters { from: string; to: string; key_id: string; model: string; group_by: string }

export function Usage() {
  const [draft, setDraft] = useState<Filters>({ from: '', to: '', key_id: '', model: '', group_by: '' });
  const [filters, setFilters] = useState<Filters>(draft);
  const [page, setPage] = useState(1);
  const params = () => ({ from: isoOf(filters.from), to: isoOf(filters.to), key_id: filters.key_id, model: filters.model,
    group_by: filters.group_by });
  const usage = useLoad(() => call('/v1/billing/usage' + qs({ ...params(), page, page_size: 50 })), [filters, page]);
  const keys = useLoad(() => call('/v1/keys' + qs({ page_size: 200 })), []);
  const action = useAction();
  const set = (k: keyof Filters) => bind((v) => setDraft({ ...draft, [k]: v }));
  const g = filters.group_by;
  const columns = g ? [
    { label: t(g === 'day' ? 'Day' : g === 'model' ? 'Model' : 'Key'), render: (r: any) => String(r[g] ?? '—') },
    { label: t('Requests'), num: true, render: (r: any) => fmtInt(r.requests) },
    { label: t('Prompt tokens'), num: true, render: (r: any) => fmtInt(r.prompt_tokens) },
    { label: t('Completion tokens'), num: true, render: (r: any) => fmtInt(r.completion_tokens) },
    { label: t('Cost'), num: true, render: (r: any) => money(r.cost) },
  ] : [
    { label: t('Time'), render: (r: any) => fmtTime(r.created_at) },
    { label: t('Request'), render: (r: any) => <code>{r.request_id}</code> },
    { label: t('Key'), render: (r: any) => (r.key_id == null ? '—' : '#' + r.key_id) },
    { label: t('Model'), render: (r: any) => r.model || '—' },
    { label: t('Provider'), render: (r: any) => r.provider || '—' },
    { label: t('Status'), render: (r: any) => String(r.status) },
    { label: t('Tokens in/out'), num: true, render: (r: any) => `${fmtInt(r.prompt_tokens)} / ${fmtInt(r.completion_tokens)}` },
    { label: t('Cost'), num: true, render: (r: any) => money(r.cost) },
  ];
  return (
    <Page title={t('Usage')}>
      <Card>
        <form class="form-grid" onSubmit={onSubmit(() => { setFilters(draft); setPage(1); })} aria-label={t('Filters')}>
          <Field label={t('From')}><input type="datetime-local" value={draft.from} onInput={set('from')} /></Field>
          <Field label={t('To')}><input type="datetime-local" value={draft.to} onInput={set('to')} /></Field>
          <Field label={t('Key')}>
            <select value={draft.key_id} onChange={set('key_id')}>
              <option value="">{t('All')}</option>
              {(keys.data?.data || []).map((k: any) => <option value={String(k.id)}>{(k.name || '—') + ' · ' + k.key_prefix}</option>)}
            </select>
          </Field>
          <Field label={t('Model')}><input value={draft.model} onInput={set('model')} /></Field>
          <Field label={t('Group by')}>
            <select value={draft.group_by} onChange={set('group_by')}>
              <option value="">{t('No grouping')}</option>
              <option value="day">{t('Day')}</option>
              <option value="model">{t('Model')}</option>
              <option value="key">{t('Key')}</option>
            </select>
          </Field>
          <div class="form-actions">
            <button type="submit">{t('Apply')}</button>
            <button type="button" class="secondary" data-testid="usage-csv"
              onClick={() => action.run(() => downloadAllPages('/v1/billing/usage' + qs({ ...params(), format: 'csv' }),
                usage.data?.pagination?.total || 0, 'usage.csv'))}>
              {t('Download CSV')}
            </button>
          </div>
        </form>
        <Notice error={action.error} />
      </Card>
      <Loading state={usage} />
      <Table caption={t('Usage')} rows={usage.data?.data} columns={columns} empty={t('No usage matches these filters.')} />
      {usage.data && <Pager page={page} pageSize={50} total={usage.data.pagination.total} onPage={setPage} />}
    </Page>
  );
}

export function Invoices() {
  const invoices = useLoad(() => call('/v1/billing/invoices' + qs({ page_size: 24 })), []);
  const [open, setOpen] = useState<string | null>(null);
  const detail = useLoad(() => (open ? call('/v1/billing/invoices/' + encodeURIComponent(open)) : Promise.resolve(null)), [open]);
  const action = useAction();
  return (
    <Page title={t('Invoices')}>
      <Loading state={invoices} />
      <Notice error={action.error} />
      <Table caption={t('Invoices')} rows={invoices.data?.data} empty={t('No statements yet.')} columns={[
        { label: t('Month'), render: (r: any) => r.period },
        { label: t('Opening'), num: true, render: (r: any) => money(r.opening_balance) },
        { label: t('Top-ups'), num: true, render: (r: any) => money(r.topups) },
        { label: t('Charges'), num: true, render: (r: any) => money(r.charges) },
        { label: t('Closing'), num: true, render: (r: any) => money(r.closing_balance, r.currency) },
        { label: t('Actions'), render: (r: any) => (
          <div class="row-actions">
            <button type="button" class="secondary" onClick={() => setOpen(r.period)}>{t('Details')}</button>
            <button type="button" class="secondary"
              onClick={() => action.run(() => download(`/v1/billing/invoices/${r.period}?format=csv`, `invoice-${r.period}.csv`))}>CSV</button>
          </div>) },
      ]} />
      {open && detail.data && (
        <Card title={t('Statement {month}', { month: open })}>
          <Table caption={t('Charges by model')} rows={detail.data.charges_by_model} columns={[
            { label: t('Model'), render: (r: any) => r.model || '—' },
            { label: t('Requests'), num: true, render: (r: any) => fmtInt(r.requests) },
            { label: t('Tokens in/out'), num: true, render: (r: any) => `${fmtInt(r.prompt_tokens)} / ${fmtInt(r.completion_tokens)}` },
            { label: t('Amount'), num: true, render: (r: any) => money(r.amount) },
          ]} />
        </Card>
      )}
    </Page>
  );
}

export function Redeem() {
  const [code, setCode] = useState('');
  const [result, setResult] = useState<any>(null);
  const action = useAction();
  const submit = () => action.run(async () => {
    setResult(await call('/v1/billing/redeem', { method: 'POST', body: { code: code.trim() } }));
    setCode('');
  });
  return (
    <Page title={t('Redeem a code')}>
      <Card>
        <form class="stack narrow" onSubmit={onSubmit(submit)}>
          <Field label={t('Code')}><input name="code" required value={code} onInput={bind(setCode)} autoComplete="off" /></Field>
          <button type="submit" disabled={action.busy}>{t('Redeem')}</button>
        </form>
        <Notice error={action.error} />
        {result && <p class="notice ok" role="status">
          {t('Added {amount}. New balance: {balance}.', { amount: money(result.amount, result.currency), balance: money(result.balance, result.currency) })}
        </p>}
      </Card>
    </Page>
  );
}
