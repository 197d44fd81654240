// API keys: create (models, IPs, limits, budgets, expiry), the secret shown once, rotate, disable, delete.
import { useState } from 'preact/hooks';
import { call, qs } from '../api';
import { t } from '../i18n';
import { Badge, bind, Card, CopyBlock, Field, fmtInt, fmtTime, isoOf, list, Loading, Notice, onSubmit, Page, Pager, Table,
  useAction, useLoad } from '../ui';
import { rememberSecret } from '../secrets';

export interface Key {
  id: number; name: string | null; key_prefix: string; status: string; allowed_models: string[] | null;
  allowed_ips: string[] | null; rpm_limit: number; tpm_limit: number; expires_at: string | null;
  last_used_at: string | null; budget_day: string | null; budget_week: string | null; budget_month: string | null;
}

function CreateKey(props: { onCreated: (secret: string, key: Key) => void }) {
  const [name, setName] = useState('');
  const [models, setModels] = useState('');
  const [ips, setIps] = useState('');
  const [rpm, setRpm] = useState('60');
  const [tpm, setTpm] = useState('100000');
  const [day, setDay] = useState('');
  const [month, setMonth] = useState('');
  const [expires, setExpires] = useState('');
  const action = useAction();
  const submit = () => action.run(async () => {
    const body: Record<string, unknown> = { name, allowed_models: list(models), allowed_ips: list(ips),
      rpm_limit: Number(rpm), tpm_limit: Number(tpm) };
    if (day) body.budget_day = day;
    if (month) body.budget_month = month;
    const exp = isoOf(expires);
    if (exp) body.expires_at = exp;
    const created = await call('/v1/keys', { method: 'POST', body });
    setName('');
    props.onCreated(created.key, created);
  });
  return (
    <Card title={t('Create a key')}>
      <form class="form-grid" onSubmit={onSubmit(submit)} aria-label={t('Create a key')}>
        <Field label={t('Name')}><input name="name" value={name} onInput={bind(setName)} maxLength={200} /></Field>
        <Field label={t('Allowed models')} hint={t('Comma-separated; empty allows every model.')}>
          <input name="allowed_models" value={models} onInput={bind(setModels)} placeholder="gpt-4o-mini, claude-*" />
        </Field>
        <Field label={t('Allowed IPs')} hint={t('Addresses or CIDR ranges; empty allows any.')}>
          <input name="allowed_ips" value={ips} onInput={bind(setIps)} placeholder="203.0.113.0/24" />
        </Field>
        <Field label={t('Requests per minute')}><input name="rpm_limit" type="number" min={1} value={rpm} onInput={bind(setRpm)} /></Field>
        <Field label={t('Tokens per minute')}><input name="tpm_limit" type="number" min={1} value={tpm} onInput={bind(setTpm)} /></Field>
        <Field label={t('Daily budget')} hint={t('Amount, e.g. 5.00; empty for none.')}>
          <input name="budget_day" inputMode="decimal" value={day} onInput={bind(setDay)} />
        </Field>
        <Field label={t('Monthly budget')}><input name="budget_month" inputMode="decimal" value={month} onInput={bind(setMonth)} /></Field>
        <Field label={t('Expires')}><input name="expires_at" type="datetime-local" value={expires} onInput={bind(setExpires)} /></Field>
        <div class="form-actions">
          <button type="submit" disabled={action.busy} data-testid="create-key">{t('Create key')}</button>
        </div>
        <Notice error={action.error} />
      </form>
    </Card>
  );
}

function SecretOnce(props: { secret: string; name: string; onDone: () => void }) {
  return (
    <div class="card secret" role="region" aria-label={t('New secret')}>
      <h2>{t('Your new key: {name}', { name: props.name || '—' })}</h2>
      <p class="warn">{t('Copy it now: this is the only time the secret is shown.')}</p>
      <CopyBlock text={props.secret} label={t('Secret')} testId="new-secret" />
      <button type="button" class="secondary" onClick={props.onDone} data-testid="secret-done">{t('I saved it')}</button>
    </div>
  );
}

export function Keys() {
  const [page, setPage] = useState(1);
  const [status, setStatus] = useState('');
  const keys = useLoad(() => call('/v1/keys' + qs({ page, page_size: 20, status })), [page, status]);
  const [secret, setSecret] = useState<{ secret: string; name: string } | null>(null);
  const action = useAction();
  const shown = (s: string, k: Key) => {
    rememberSecret(k.id, k.name || k.key_prefix, s);
    setSecret({ secret: s, name: k.name || k.key_prefix });
    keys.reload();
  };
  const rotate = (k: Key) => action.run(async () => {
    if (!confirm(t('Rotate key {name}? The old secret stops working at once.', { name: k.name || k.key_prefix }))) return;
    const r = await call(`/v1/keys/${k.id}/rotate`, { method: 'POST' });
    shown(r.key, r);
  });
  const setEnabled = (k: Key, on: boolean) => action.run(async () => {
    await call(`/v1/keys/${k.id}/${on ? 'enable' : 'disable'}`, { method: 'POST' });
    keys.reload();
  }, on ? t('Key enabled.') : t('Key disabled.'));
  const remove = (k: Key) => action.run(async () => {
    if (!confirm(t('Delete key {name}? This cannot be undone.', { name: k.name || k.key_prefix }))) return;
    await call(`/v1/keys/${k.id}`, { method: 'DELETE' });
    keys.reload();
  }, t('Key deleted.'));
  return (
    <Page title={t('API keys')}>
      {secret && <SecretOnce secret={secret.secret} name={secret.name} onDone={() => setSecret(null)} />}
      <CreateKey onCreated={shown} />
      <Card title={t('Your keys')}>
        <div class="filters">
          <Field label={t('Status')}>
            <select value={status} onChange={bind((v) => { setStatus(v); setPage(1); })}>
              <option value="">{t('All')}</option>
              <option value="active">{t('active')}</option>
              <option value="disabled">{t('disabled')}</option>
              <option value="revoked">{t('revoked')}</option>
            </select>
          </Field>
        </div>
        <Notice error={action.error} ok={action.done} />
        <Loading state={keys} />
        <Table<Key> caption={t('Your keys')} rows={keys.data?.data} columns={[
          { label: t('Name'), render: (k) => <span class="key-name">{k.name || '—'}</span> },
          { label: t('Key'), render: (k) => <code>{k.key_prefix}…</code> },
          { label: t('Status'), render: (k) => <Badge value={k.status} /> },
          { label: t('Models'), render: (k) => (k.allowed_models && k.allowed_models.length ? k.allowed_models.join(', ') : t('all')) },
          { label: t('Limits'), render: (k) => `${fmtInt(k.rpm_limit)} rpm · ${fmtInt(k.tpm_limit)} tpm` },
          { label: t('Budget'), render: (k) => [k.budget_day && t('{v}/day', { v: k.budget_day }),
            k.budget_month && t('{v}/month', { v: k.budget_month })].filter(Boolean).join(' · ') || '—' },
          { label: t('Expires'), render: (k) => fmtTime(k.expires_at) },
          { label: t('Last used'), render: (k) => fmtTime(k.last_used_at) },
          { label: t('Actions'), render: (k) => k.status === 'revoked' ? '—' : (
            <div class="row-actions">
              {k.status === 'active' && <button type="button" class="secondary" onClick={() => rotate(k)}>{t('Rotate')}</button>}
              {k.status === 'active' && <button type="button" class="secondary" onClick={() => setEnabled(k, false)}>{t('Disable')}</button>}
              {k.status === 'disabled' && <button type="button" class="secondary" onClick={() => setEnabled(k, true)}>{t('Enable')}</button>}
              <button type="button" class="danger" onClick={() => remove(k)}>{t('Delete')}</button>
            </div>) },
        ]} />
        {keys.data && <Pager page={page} pageSize={20} total={keys.data.pagination.total} onPage={setPage} />}
      </Card>
    </Page>
  );
}
