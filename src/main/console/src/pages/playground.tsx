// The playground: streams an answer from a model the key allows, through the data plane with the user's own key
// (one created in this tab, or pasted), and shows the tokens and the charge from the stream's final usage chunk.
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api';
import { errorText, t } from '../i18n';
import { knownSecrets } from '../secrets';
import { bind, Card, Field, Notice, onSubmit, Page, Stat } from '../ui';

interface Usage { prompt_tokens?: number; completion_tokens?: number; cost?: number | string }

async function dataPlane(key: string, path: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(path, { ...init, cache: 'no-store', credentials: 'omit',
    headers: { ...(init.headers as Record<string, string> || {}), authorization: 'Bearer ' + key } });
  if (!res.ok) {
    let e: any = null;
    try { e = (await res.json()).error; } catch { /* not JSON */ }
    throw new ApiError(res.status, e?.code || String(res.status), e?.message || res.statusText, e?.message_i18n || null, e?.trace_id || null);
  }
  return res;
}

export function Playground() {
  const known = knownSecrets();
  const [keyChoice, setKeyChoice] = useState(known.length ? String(known[0].id) : 'paste');
  const [pasted, setPasted] = useState('');
  const [models, setModels] = useState<string[]>([]);
  const [model, setModel] = useState('');
  const [prompt, setPrompt] = useState('Say hello in one short sentence.');
  const [maxTokens, setMaxTokens] = useState('128');
  const [answer, setAnswer] = useState('');
  const [usage, setUsage] = useState<Usage | null>(null);
  const [meta, setMeta] = useState<{ provider?: string; requestId?: string }>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const key = keyChoice === 'paste' ? pasted.trim() : known.find((k) => String(k.id) === keyChoice)?.secret || '';

  useEffect(() => {
    if (!key.startsWith('lgw-')) { setModels([]); return; }
    let live = true;
    dataPlane(key, '/v1/models').then((r) => r.json()).then((j) => {
      if (!live) return;
      const ids: string[] = (j.data || []).map((m: any) => String(m.id)).sort();
      setModels(ids);
      setModel((m) => (m && ids.includes(m) ? m : ids.includes('gpt-4o-mini') ? 'gpt-4o-mini' : ids[0] || ''));
      setError(null);
    }, (e) => live && setError(e));
    return () => { live = false; };
  }, [key]);

  const run = async () => {
    setBusy(true);
    setAnswer('');
    setUsage(null);
    setError(null);
    try {
      const res = await dataPlane(key, '/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model, stream: true, stream_options: { include_usage: true }, max_tokens: Number(maxTokens) || 128,
          messages: [{ role: 'user', content: prompt }] }) });
      setMeta({ provider: res.headers.get('x-ljq-provider') || undefined, requestId: res.headers.get('x-request-id') || undefined });
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      let text = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let cut;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const event = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          for (const line of event.split('\n')) {
            if (!line.startsWith('data:')) continue;
            const data = line.slice(5).trim();
            if (data === '[DONE]') continue;
            const chunk = JSON.parse(data);
            if (chunk.error) throw new ApiError(0, chunk.error.code || 'stream', chunk.error.message, chunk.error.message_i18n || null, null);
            const delta = chunk.choices?.[0]?.delta?.content;
            if (delta) { text += delta; setAnswer(text); }
            if (chunk.usage) setUsage(chunk.usage);
          }
        }
      }
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Page title={t('Playground')}>
      <Card>
        <form class="form-grid" onSubmit={onSubmit(run)} aria-label={t('Playground')}>
          <Field label={t('API key')}>
            <select value={keyChoice} onChange={bind(setKeyChoice)} data-testid="pg-key">
              {known.map((k) => <option value={String(k.id)}>{k.name}</option>)}
              <option value="paste">{t('Paste a key…')}</option>
            </select>
          </Field>
          {keyChoice === 'paste' && (
            <Field label={t('Key secret')} hint={t('Kept in this page only.')}>
              <input type="password" autoComplete="off" value={pasted} onInput={bind(setPasted)} placeholder="lgw-…" />
            </Field>
          )}
          <Field label={t('Model')}>
            <select value={model} onChange={bind(setModel)} data-testid="pg-model">
              {models.map((m) => <option value={m}>{m}</option>)}
            </select>
          </Field>
          <Field label={t('Max tokens')}><input type="number" min={1} value={maxTokens} onInput={bind(setMaxTokens)} /></Field>
          <Field label={t('Prompt')} wide>
            <textarea rows={4} value={prompt} onInput={bind(setPrompt)} data-testid="pg-prompt" />
          </Field>
          <div class="form-actions">
            <button type="submit" disabled={busy || !key || !model} data-testid="pg-send">{busy ? t('Streaming…') : t('Send')}</button>
          </div>
        </form>
        {error ? <p class="notice error" role="alert">{errorText(error)}</p> : null}
      </Card>
      <Card title={t('Answer')}>
        <div class="answer" aria-live="polite" data-testid="pg-answer">{answer}</div>
        <div class="stats">
          <Stat label={t('Prompt tokens')} value={usage?.prompt_tokens ?? '—'} testId="pg-prompt-tokens" />
          <Stat label={t('Completion tokens')} value={usage?.completion_tokens ?? '—'} testId="pg-completion-tokens" />
          <Stat label={t('Cost')} value={usage?.cost !== undefined ? String(usage.cost) : '—'} testId="pg-cost" />
          <Stat label={t('Provider')} value={meta.provider || '—'} />
        </div>
        {meta.requestId && <p class="muted">{t('Request id')}: <code>{meta.requestId}</code></p>}
        <Notice />
      </Card>
    </Page>
  );
}
