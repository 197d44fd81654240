// Small building blocks shared by the pages. Every value from the API is rendered as text (JSX children), never
// as HTML; no inline style attributes (the Content-Security-Policy forbids them): classes only.
import { cloneElement, ComponentChildren, isValidElement, JSX } from 'preact';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { errorText, t } from './i18n';

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** Runs an async load when deps change; reload() runs it again. */
export function useLoad<T>(fn: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setLoading(true);
    fn().then((d) => { if (live) { setData(d); setError(null); } },
      (e) => { if (live) setError(e); }).finally(() => { if (live) setLoading(false); });
    return () => { live = false; };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data, error, loading, reload };
}

/** Wraps an action: tracks busy state and the last error or success message. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const run = async (fn: () => Promise<unknown>, success?: string) => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      await fn();
      if (success) setDone(success);
      return true;
    } catch (e) {
      setError(e);
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, done, run, setError };
}

export function Page(props: { title: string; actions?: ComponentChildren; children: ComponentChildren }) {
  useEffect(() => { document.title = props.title + ' · 立交桥 Lijiaoqiao'; }, [props.title]);
  return (
    <section class="page" aria-labelledby="page-title">
      <header class="page-head">
        <h1 id="page-title" tabIndex={-1}>{props.title}</h1>
        {props.actions && <div class="page-actions">{props.actions}</div>}
      </header>
      {props.children}
    </section>
  );
}

export function Card(props: { title?: string; children: ComponentChildren; class?: string }) {
  return (
    <div class={'card ' + (props.class || '')}>
      {props.title && <h2>{props.title}</h2>}
      {props.children}
    </div>
  );
}

export function Notice(props: { error?: unknown; ok?: string | null }) {
  if (props.error) return <p class="notice error" role="alert">{errorText(props.error)}</p>;
  if (props.ok) return <p class="notice ok" role="status">{props.ok}</p>;
  return null;
}

export function Loading(props: { state: Loaded<unknown> }) {
  if (props.state.error) return <Notice error={props.state.error} />;
  if (props.state.loading && props.state.data === undefined) return <p class="muted" role="status">{t('Loading…')}</p>;
  return null;
}

let hintSeq = 0;

/** A labelled control; a hint is tied to the control with aria-describedby (outside the label, so names stay short). */
export function Field(props: { label: string; hint?: string; children: ComponentChildren; wide?: boolean }) {
  const hintId = useMemo(() => 'hint-' + ++hintSeq, []);
  const control = props.hint && isValidElement(props.children)
    ? cloneElement(props.children, { 'aria-describedby': hintId } as any) : props.children;
  return (
    <div class={'field' + (props.wide ? ' wide' : '')}>
      <label class="field-label">
        <span class="label">{props.label}</span>
        {control}
      </label>
      {props.hint && <span class="hint" id={hintId}>{props.hint}</span>}
    </div>
  );
}

export interface Column<R> {
  label: string;
  render: (row: R) => ComponentChildren;
  num?: boolean;
}

export function Table<R>(props: { columns: Column<R>[]; rows: R[] | undefined; empty?: string; caption?: string }) {
  const rows = props.rows || [];
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label={props.caption || t('Table')}>
      <table>
        {props.caption && <caption class="sr-only">{props.caption}</caption>}
        <thead>
          <tr>{props.columns.map((c) => <th scope="col" class={c.num ? 'num' : ''}>{c.label}</th>)}</tr>
        </thead>
        <tbody>
          {rows.length === 0
            ? <tr><td colSpan={props.columns.length} class="muted">{props.empty || t('Nothing yet.')}</td></tr>
            : rows.map((r) => <tr>{props.columns.map((c) => <td class={c.num ? 'num' : ''}>{c.render(r)}</td>)}</tr>)}
        </tbody>
      </table>
    </div>
  );
}

export function Pager(props: { page: number; pageSize: number; total: number; onPage: (p: number) => void }) {
  const pages = Math.max(1, Math.ceil(props.total / props.pageSize));
  if (pages <= 1) return null;
  return (
    <nav class="pager" aria-label={t('Pages')}>
      <button type="button" disabled={props.page <= 1} onClick={() => props.onPage(props.page - 1)}>{t('Previous')}</button>
      <span>{t('Page {p} of {n}', { p: props.page, n: pages })}</span>
      <button type="button" disabled={props.page >= pages} onClick={() => props.onPage(props.page + 1)}>{t('Next')}</button>
    </nav>
  );
}

export function CopyButton(props: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.text);
    } catch {
      // No clipboard API (a page served over plain http to a non-local address): copy through a selection.
      const area = document.createElement('textarea');
      area.value = props.text;
      area.setAttribute('readonly', '');
      area.className = 'offscreen';
      document.body.appendChild(area);
      area.select();
      document.execCommand('copy');
      area.remove();
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 2000);
  };
  return (
    <button type="button" class="secondary" onClick={copy} aria-live="polite">
      {copied ? t('Copied') : props.label || t('Copy')}
    </button>
  );
}

/** A block of text to copy (a secret, a snippet). */
export function CopyBlock(props: { text: string; label: string; testId?: string }) {
  return (
    <div class="copy-block">
      <pre aria-label={props.label} data-testid={props.testId}>{props.text}</pre>
      <CopyButton text={props.text} />
    </div>
  );
}

export interface Bar { label: string; value: number }

/** A bar chart in SVG (no library); values and labels become SVG text nodes. */
export function BarChart(props: { bars: Bar[]; title: string; format?: (v: number) => string }) {
  const bars = props.bars;
  const fmt = props.format || ((v: number) => String(v));
  if (bars.length === 0) return <p class="muted">{t('No data for this period.')}</p>;
  const max = Math.max(...bars.map((b) => b.value), 0) || 1;
  const w = 600, h = 220, pad = 28, bw = Math.min(64, (w - pad) / bars.length); // a few bars stay bars, not walls
  const labelEvery = Math.ceil(bars.length / 8);
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${w} ${h + 24}`} role="img" aria-label={props.title}>
        <title>{props.title}</title>
        <line x1={pad} y1={h} x2={w} y2={h} class="axis" />
        <text x={0} y={12} class="tick">{fmt(max)}</text>
        {bars.map((b, i) => {
          const bh = Math.max(1, (b.value / max) * (h - 20));
          const x = pad + i * bw + bw * 0.12;
          return (
            <g>
              <rect x={x} y={h - bh} width={Math.max(1, bw * 0.76)} height={bh} class="bar">
                <title>{b.label + ': ' + fmt(b.value)}</title>
              </rect>
              {i % labelEvery === 0 && <text x={x} y={h + 16} class="tick">{shorten(b.label)}</text>}
            </g>
          );
        })}
      </svg>
      <figcaption class="sr-only">{bars.map((b) => b.label + ': ' + fmt(b.value)).join('; ')}</figcaption>
    </figure>
  );
}

function shorten(s: string): string {
  if (/^\d{4}-\d{2}-\d{2}/.test(s)) return s.slice(5, 10);
  return s.length > 12 ? s.slice(0, 11) + '…' : s;
}

export function Stat(props: { label: string; value: ComponentChildren; testId?: string }) {
  return (
    <div class="stat">
      <span class="stat-label">{props.label}</span>
      <span class="stat-value" data-testid={props.testId}>{props.value}</span>
    </div>
  );
}

export function Badge(props: { value: string | null | undefined }) {
  const v = props.value || '—';
  const tone = /active|ok|up|closed|approved|completed|allowed|healthy/.test(v) ? 'good'
    : /disabled|revoked|failed|open|blocked|suspended|rejected|down|expired/.test(v) ? 'bad' : 'neutral';
  return <span class={'badge ' + tone}>{t(v)}</span>;
}

export function fmtTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
}

export function fmtInt(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : Number(n).toLocaleString();
}

/** Form submit without a page load. */
export function onSubmit(fn: () => void) {
  return (e: JSX.TargetedEvent<HTMLFormElement, Event>) => {
    e.preventDefault();
    fn();
  };
}

/** Input value helper: an onInput handler that sets state. */
export function bind(set: (v: string) => void) {
  return (e: JSX.TargetedEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, Event>) =>
    set((e.currentTarget as HTMLInputElement).value);
}

/** Splits a comma/space/newline separated list. */
export function list(text: string): string[] {
  return text.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
}

/** Converts a datetime-local value to ISO (UTC), or undefined. */
export function isoOf(local: string): string | undefined {
  if (!local) return undefined;
  const d = new Date(local);
  return isNaN(d.getTime()) ? undefined : d.toISOString();
}
