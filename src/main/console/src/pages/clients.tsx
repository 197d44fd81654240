// Copy-paste settings for clients: base URLs for OpenAI, Anthropic and Gemini SDKs, Claude Code, Codex, curl.
import { t } from '../i18n';
import { Card, CopyBlock, Page } from '../ui';

export function ClientSettings() {
  const root = location.origin;
  const v1 = root + '/v1';
  const key = '<your lgw- key>';
  return (
    <Page title={t('Client settings')}>
      <p class="muted">{t('Use a key from the API keys page in place of {key}.', { key })}</p>
      <div class="grid2">
        <Card title="OpenAI SDK">
          <CopyBlock label="OpenAI base URL" text={v1} />
          <CopyBlock label="Python" text={`from openai import OpenAI\nclient = OpenAI(base_url="${v1}", api_key="${key}")\nprint(client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hello"}]).choices[0].message.content)`} />
          <CopyBlock label="Environment" text={`export OPENAI_BASE_URL=${v1}\nexport OPENAI_API_KEY=${key}`} />
        </Card>
        <Card title="Anthropic SDK">
          <CopyBlock label="Anthropic base URL" text={root} />
          <CopyBlock label="Python" text={`import anthropic\nclient = anthropic.Anthropic(base_url="${root}", api_key="${key}")\nprint(client.messages.create(model="claude-haiku-4-5", max_tokens=256, messages=[{"role": "user", "content": "Hello"}]).content[0].text)`} />
        </Card>
        <Card title="Gemini (Google GenAI SDK, Gemini CLI)">
          <CopyBlock label="Gemini base URL" text={root} />
          <CopyBlock label="Environment" text={`export GOOGLE_GEMINI_BASE_URL=${root}\nexport GEMINI_API_KEY=${key}\ngemini`} />
          <CopyBlock label="JavaScript" text={`import { GoogleGenAI } from '@google/genai';\nconst ai = new GoogleGenAI({ apiKey: '${key}', httpOptions: { baseUrl: '${root}' } });`} />
        </Card>
        <Card title="Claude Code">
          <CopyBlock label="Claude Code" text={`export ANTHROPIC_BASE_URL=${root}\nexport ANTHROPIC_AUTH_TOKEN=${key}\nclaude`} />
        </Card>
        <Card title="Codex CLI">
          <CopyBlock label="~/.codex/config.toml" text={`model = "gpt-4o-mini"\nmodel_provider = "ljq"\n\n[model_providers.ljq]\nname = "Lijiaoqiao"\nbase_url = "${v1}"\nenv_key = "LJQ_API_KEY"\nwire_api = "responses"`} />
          <CopyBlock label="Shell" text={`export LJQ_API_KEY=${key}\ncodex`} />
        </Card>
        <Card title="curl">
          <CopyBlock label="curl" text={`curl ${v1}/chat/completions \\\n  -H "Authorization: Bearer ${key}" -H "Content-Type: application/json" \\\n  -d '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello"}]}'`} />
        </Card>
      </div>
    </Page>
  );
}
