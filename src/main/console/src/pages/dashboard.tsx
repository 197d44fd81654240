// The consumer's dashboard: balance, and spend and requests over the last 30 days by day, model and key.
import { call, qs } from '../api';
import { t } from '../i18n';
import { BarChart, Card, Loading, Page, Stat, useLoad } from '../ui';

interface Group { day?: string; model?: string; key?: number | string; requests: number; prompt_tokens: number; completion_tokens: number; cost: string }

function since(days: number): string {
  const d = new Date();
  d.setUTCHours(0, 0, 0, 0);
  d.setUTCDate(d.getUTCDate() - days + 1);
  return d.toISOString();
}

export function money(v: string | number | null | undefined, currency = ''): string {
  if (v === null || v === undefined) return '—';
  const n = Number(v);
  const s = n !== 0 && Math.abs(n) < 0.01 ? n.toFixed(6) : n.toFixed(2);
  return currency ? s + ' ' + currency : s;
}

export function Dashboard() {
  const from = since(30);
  const balance = useLoad(() => call('/v1/billing/balance'), []);
  const byDay = useLoad(() => call('/v1/billing/usage' + qs({ group_by: 'day', from, page_size: 200 })), []);
  const byModel = useLoad(() => call('/v1/billing/usage' + qs({ group_by: 'model', from, page_size: 50 })), []);
  const byKey = useLoad(() => call('/v1/billing/usage' + qs({ group_by: 'key', from, page_size: 50 })), []);
  const keys = useLoad(() => call('/v1/keys' + qs({ page_size: 200 })), []);
  const keyName = (id: unknown) => {
    const k = (keys.data?.data || []).find((x: any) => String(x.id) === String(id));
    return k ? (k.name || k.key_prefix) : '#' + String(id ?? '—');
  };
  const cur = balance.data?.currency || '';
  const days: Group[] = (byDay.data?.data || []).slice().sort((a: Group, b: Group) => String(a.day).localeCompare(String(b.day)));
  const total = days.reduce((s, g) => s + Number(g.cost), 0);
  const requests = days.reduce((s, g) => s + g.requests, 0);
  const fmtMoney = (v: number) => money(v);
  return (
    <Page title={t('Dashboard')}>
      <Loading state={balance} />
      <div class="stats">
        <Stat label={t('Balance')} value={money(balance.data?.balance, cur)} testId="balance" />
        <Stat label={t('Available')} value={money(balance.data?.available, cur)} />
        <Stat label={t('Reserved')} value={money(balance.data?.reserved, cur)} />
        <Stat label={t('Spend, 30 days')} value={money(total, cur)} testId="spend-30d" />
        <Stat label={t('Requests, 30 days')} value={requests.toLocaleString()} testId="requests-30d" />
      </div>
      <Loading state={byDay} />
      <div class="grid2">
        <Card title={t('Spend by day')}>
          <BarChart title={t('Spend by day')} bars={days.map((g) => ({ label: String(g.day), value: Number(g.cost) }))} format={fmtMoney} />
        </Card>
        <Card title={t('Requests by day')}>
          <BarChart title={t('Requests by day')} bars={days.map((g) => ({ label: String(g.day), value: g.requests }))} />
        </Card>
        <Card title={t('Spend by model')}>
          <BarChart title={t('Spend by model')} format={fmtMoney}
            bars={(byModel.data?.data || []).map((g: Group) => ({ label: String(g.model ?? '—'), value: Number(g.cost) }))} />
        </Card>
        <Card title={t('Spend by key')}>
          <BarChart title={t('Spend by key')} format={fmtMoney}
            bars={(byKey.data?.data || []).map((g: Group) => ({ label: keyName(g.key), value: Number(g.cost) }))} />
        </Card>
      </div>
    </Page>
  );
}
