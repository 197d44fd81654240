// Operator pages about people and records: system stats, users and tenants, the audit log, request lookup.
import { useState } from 'preact/hooks';
import { call, idempotencyKey, qs } from '../api';
import { t } from '../i18n';
import { Badge, BarChart, bind, Card, CopyBlock, Field, fmtInt, fmtTime, Loading, Notice, onSubmit, Page, Pager, Stat, Table, useAction,
  useLoad } from '../ui';

const ROLES = ['member', 'tenant_admin', 'supplier', 'admin'];

export function AdminStats() {
  const stats = useLoad(() => call('/admin/stats'), []);
  const events = useLoad(() => call('/admin/events/stats'), []);
  const s = stats.data;
  return (
    <Page title={t('System')} actions={<button type="button" class="secondary" onClick={stats.reload}>{t('Refresh')}</button>}>
      <Loading state={stats} />
      {s && (
        <>
          <div class="stats">
            <Stat label={t('Users')} value={`${fmtInt(s.active_users)} / ${fmtInt(s.users)}`} />
            <Stat label={t('Tenants')} value={fmtInt(s.tenants)} />
            <Stat label={t('Active keys')} value={`${fmtInt(s.active_keys)} / ${fmtInt(s.keys)}`} />
            <Stat label={t('Requests today')} value={fmtInt(s.today?.requests)} testId="admin-requests-today" />
            <Stat label={t('Tokens today')} value={fmtInt(s.today?.tokens)} />
            <Stat label={t('Errors today')} value={fmtInt(s.today?.errors)} />
          </div>
          <Card title={t('Last 7 days')}>
            <BarChart title={t('Last 7 days')} bars={[
              { label: t('Requests'), value: s.last_7_days?.requests || 0 },
              { label: t('Errors'), value: s.last_7_days?.errors || 0 },
            ]} />
          </Card>
        </>
      )}
      {events.data && (
        <Card title={t('Event bus')}>
          <pre class="json">{JSON.stringify(events.data, null, 2)}</pre>
        </Card>
      )}
    </Page>
  );
}

function CreateUser(props: { onDone: () => void }) {
  const [f, setF] = useState({ email: '', password: '', name: '', role: 'member', tenant_id: '' });
  const set = (k: keyof typeof f) => bind((v) => setF({ ...f, [k]: v }));
  const action = useAction();
  const submit = () => action.run(async () => {
    const body: Record<string, unknown> = { email: f.email, password: f.password, role: f.role };
    if (f.name) body.name = f.name;
    if (f.tenant_id) body.tenant_id = Number(f.tenant_id);
    await call('/admin/users', { method: 'POST', body });
    setF({ ...f, email: '', password: '', name: '' });
    props.onDone();
  }, t('User created.'));
  return (
    <Card title={t('Create a user')}>
      <form class="form-grid" onSubmit={onSubmit(submit)} aria-label={t('Create a user')}>
        <Field label={t('E-mail')}><input type="email" required value={f.email} onInput={set('email')} /></Field>
        <Field label={t('Password')}><input type="password" autoComplete="new-password" required value={f.password} onInput={set('password')} /></Field>
        <Field label={t('Name')}><input value={f.name} onInput={set('name')} /></Field>
        <Field label={t('Role')}>
          <select value={f.role} onChange={set('role')}>{ROLES.map((r) => <option value={r}>{t(r)}</option>)}</select>
        </Field>
        <Field label={t('Tenant id')} hint={t('Empty: a new tenant for this user.')}>
          <input inputMode="numeric" value={f.tenant_id} onInput={set('tenant_id')} />
        </Field>
        <div class="form-actions"><button type="submit" disabled={action.busy}>{t('Create user')}</button></div>
      </form>
      <Notice error={action.error} ok={action.done} />
    </Card>
  );
}

function CreditTenant() {
  const [tenant, setTenant] = useState('');
  const [amount, setAmount] = useState('');
  const [note, setNote] = useState('');
  // One key per intended credit: a retry of the same form (a lost answer) cannot credit twice.
  const [key, setKey] = useState(idempotencyKey());
  const action = useAction();
  const submit = () => action.run(async () => {
    const r = await call(`/admin/tenants/${encodeURIComponent(tenant)}/credit`, { method: 'POST',
      headers: { 'idempotency-key': key }, body: { amount, note: note || undefined } });
    setKey(idempotencyKey());
    setAmount('');
    return r;
  }, t('Credited.'));
  return (
    <Card title={t('Credit a tenant')}>
      <form class="form-grid" onSubmit={onSubmit(submit)} aria-label={t('Credit a tenant')}>
        <Field label={t('Tenant id')}><input inputMode="numeric" required value={tenant} onInput={bind(setTenant)} /></Field>
        <Field label={t('Amount')}><input inputMode="decimal" required value={amount} onInput={bind(setAmount)} /></Field>
        <Field label={t('Note')}><input value={note} onInput={bind(setNote)} /></Field>
        <Field label="Idempotency-Key"><input readOnly value={key} /></Field>
        <div class="form-actions"><button type="submit" disabled={action.busy}>{t('Credit')}</button></div>
      </form>
      <Notice error={action.error} ok={action.done} />
    </Card>
  );
}

function RedemptionCodes() {
  const [amount, setAmount] = useState('');
  const [count, setCount] = useState('1');
  const [codes, setCodes] = useState<string[]>([]);
  const action = useAction();
  const submit = () => action.run(async () => {
    const r = await call('/admin/redemption-codes', { method: 'POST', body: { amount, count: Number(count) } });
    setCodes(r.codes || []);
  });
  return (
    <Card title={t('Redemption codes')}>
      <form class="form-grid" onSubmit={onSubmit(submit)} aria-label={t('Redemption codes')}>
        <Field label={t('Amount')}><input inputMode="decimal" required value={amount} onInput={bind(setAmount)} /></Field>
        <Field label={t('How many')}><input type="number" min={1} max={100} value={count} onInput={bind(setCount)} /></Field>
        <div class="form-actions"><button type="submit" disabled={action.busy}>{t('Create codes')}</button></div>
      </form>
      <Notice error={action.error} />
      {codes.length > 0 && (
        <>
          <p class="warn">{t('Copy them now: codes are shown once.')}</p>
          <CopyBlock label={t('Redemption codes')} text={codes.join('\n')} />
        </>
      )}
    </Card>
  );
}

export function AdminUsers() {
  const [q, setQ] = useState('');
  const [tenant, setTenant] = useState('');
  const [query, setQuery] = useState({ q: '', tenant: '' });
  const [page, setPage] = useState(1);
  const users = useLoad(() => call('/admin/users' + qs({ q: query.q, tenant_id: query.tenant, page, page_size: 25 })), [query, page]);
  const action = useAction();
  const setStatus = (u: any, on: boolean) => action.run(async () => {
    await call(`/admin/users/${u.id}/${on ? 'enable' : 'disable'}`, { method: 'POST' });
    users.reload();
  }, on ? t('User enabled.') : t('User disabled.'));
  const setRole = (u: any, role: string) => action.run(async () => {
    await call(`/v1/users/${u.id}`, { method: 'PUT', body: { role } });
    users.reload();
  }, t('Role changed.'));
  return (
    <Page title={t('Users & tenants')}>
      <Card title={t('Users')}>
        <form class="filters" onSubmit={onSubmit(() => { setQuery({ q, tenant }); setPage(1); })} role="search">
          <Field label={t('Search')}><input type="search" value={q} onInput={bind(setQ)} placeholder={t('e-mail or name')} data-testid="user-search" /></Field>
          <Field label={t('Tenant id')}><input inputMode="numeric" value={tenant} onInput={bind(setTenant)} /></Field>
          <button type="submit">{t('Search')}</button>
        </form>
        <Notice error={action.error} ok={action.done} />
        <Loading state={users} />
        <Table caption={t('Users')} rows={users.data?.data} columns={[
          { label: '#', render: (u: any) => String(u.id) },
          { label: t('E-mail'), render: (u: any) => u.email },
          { label: t('Name'), render: (u: any) => u.name || '—' },
          { label: t('Tenant'), render: (u: any) => '#' + u.tenant_id },
          { label: t('Role'), render: (u: any) => (
            <select aria-label={t('Role of {email}', { email: u.email })} value={u.role}
              onChange={(e) => setRole(u, (e.currentTarget as HTMLSelectElement).value)}>
              {ROLES.map((r) => <option value={r}>{t(r)}</option>)}
            </select>) },
          { label: t('Status'), render: (u: any) => <Badge value={u.status} /> },
          { label: t('Last sign-in'), render: (u: any) => fmtTime(u.last_login_at) },
          { label: t('Actions'), render: (u: any) => (u.status === 'active'
            ? <button type="button" class="danger" onClick={() => setStatus(u, false)} data-testid={'disable-' + u.id}>{t('Disable')}</button>
            : <button type="button" class="secondary" onClick={() => setStatus(u, true)}>{t('Enable')}</button>) },
        ]} />
        {users.data && <Pager page={page} pageSize={25} total={users.data.pagination.total} onPage={setPage} />}
      </Card>
      <div class="grid2">
        <CreateUser onDone={users.reload} />
        <CreditTenant />
        <RedemptionCodes />
      </div>
    </Page>
  );
}

export function AdminAudit() {
  const [action, setAction] = useState('');
  const [filter, setFilter] = useState('');
  const [before, setBefore] = useState<number[]>([]);
  const audit = useLoad(() => call('/admin/audit' + qs({ action: filter, limit: 50, before_id: before[before.length - 1] })), [filter, before]);
  const verify = useAction();
  const [chain, setChain] = useState<any>(null);
  return (
    <Page title={t('Audit log')} actions={
      <button type="button" class="secondary" onClick={() => verify.run(async () => setChain(await call('/admin/audit/verify')))}>{t('Verify the hash chain')}</button>}>
      <Notice error={verify.error} />
      {chain && <p class={'notice ' + (chain.ok ? 'ok' : 'error')} role="status">{chain.ok ? t('The chain is intact.') : t('The chain is broken.')} {JSON.stringify(chain)}</p>}
      <form class="filters" onSubmit={onSubmit(() => { setFilter(action); setBefore([]); })} role="search">
        <Field label={t('Action')}><input value={action} onInput={bind(setAction)} placeholder="user.disable" /></Field>
        <button type="submit">{t('Apply')}</button>
      </form>
      <Loading state={audit} />
      <Table caption={t('Audit log')} rows={audit.data?.data} columns={[
        { label: t('Time'), render: (r: any) => fmtTime(r.at) },
        { label: t('Action'), render: (r: any) => <code>{r.action}</code> },
        { label: t('Actor'), render: (r: any) => (r.actor_user_id == null ? '—' : '#' + r.actor_user_id) },
        { label: t('Target'), render: (r: any) => `${r.target_type || '—'} ${r.target_id ?? ''}` },
        { label: t('Change'), render: (r: any) => <details><summary>{t('Before / after')}</summary><pre class="json">{JSON.stringify({ before: r.before, after: r.after }, null, 2)}</pre></details> },
        { label: t('Request'), render: (r: any) => <code>{r.request_id || '—'}</code> },
      ]} />
      <nav class="pager" aria-label={t('Pages')}>
        <button type="button" disabled={before.length === 0} onClick={() => setBefore(before.slice(0, -1))}>{t('Newer')}</button>
        <button type="button" disabled={!audit.data?.next_before_id} onClick={() => setBefore([...before, audit.data.next_before_id])}>{t('Older')}</button>
      </nav>
    </Page>
  );
}

export function AdminRequests() {
  const [id, setId] = useState('');
  const [trace, setTrace] = useState<any>(null);
  const action = useAction();
  const lookup = () => action.run(async () => {
    setTrace(null);
    setTrace(await call('/admin/requests/' + encodeURIComponent(id.trim())));
  });
  const route = trace?.route;
  const candidates: any[] = Array.isArray(route?.candidates) ? route.candidates : [];
  return (
    <Page title={t('Request lookup')}>
      <Card>
        <form class="filters" onSubmit={onSubmit(lookup)} role="search">
          <Field label={t('Request id')}><input required value={id} onInput={bind(setId)} placeholder="req_…" data-testid="request-id" /></Field>
          <button type="submit" disabled={action.busy}>{t('Look up')}</button>
        </form>
        <Notice error={action.error} />
      </Card>
      {trace && (
        <>
          <Card title={t('Usage record')}>
            {trace.usage ? (
              <dl class="facts">
                {Object.entries(trace.usage).map(([k, v]) => <><dt>{k}</dt><dd>{v === null ? '—' : String(v)}</dd></>)}
              </dl>
            ) : <p class="muted">{t('No usage was recorded for this request.')}</p>}
          </Card>
          <Card title={t('Routing decision')}>
            {candidates.length > 0 && (
              <Table caption={t('Candidates')} rows={candidates} columns={Object.keys(candidates[0]).map((k) => ({
                label: k, render: (c: any) => (typeof c[k] === 'object' && c[k] !== null ? JSON.stringify(c[k]) : String(c[k] ?? '—')) }))} />
            )}
            <pre class="json" data-testid="route-json">{JSON.stringify(route, null, 2)}</pre>
          </Card>
        </>
      )}
    </Page>
  );
}
