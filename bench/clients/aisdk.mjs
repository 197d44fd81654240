// The Vercel AI SDK against Lijiaoqiao (docs/clients.md): OpenAI Responses (openai(model), the default), OpenAI
// Chat Completions (openai.chat(model)) and Anthropic Messages (createAnthropic); for each generateText, streamText,
// a tool loop (stopWhen), a second turn that sends the first answer back, and generateObject.
//   LJQ_BASE_URL=http://127.0.0.1:8080/v1 LJQ_API_KEY=lgw-… node aisdk.mjs [openai-responses|openai-chat|anthropic]
import { generateText, generateObject, streamText, tool, stepCountIs } from 'ai';
import { createOpenAI } from '@ai-sdk/openai';
import { createAnthropic } from '@ai-sdk/anthropic';
import { z } from 'zod';

const base = process.env.LJQ_BASE_URL ?? 'http://127.0.0.1:8080/v1';
const apiKey = process.env.LJQ_API_KEY;
const openai = createOpenAI({ baseURL: base, apiKey });
const anthropic = createAnthropic({ baseURL: base, apiKey });

const weather = tool({
  description: 'Get the current weather in a city',
  inputSchema: z.object({ city: z.string().describe('The city') }),
  execute: async ({ city }) => ({ city, temperatureC: 21, sky: 'clear' }),
});

const models = {
  'openai-responses': openai(process.env.OPENAI_MODEL ?? 'gpt-4o-mini'),
  'openai-chat': openai.chat(process.env.OPENAI_MODEL ?? 'gpt-4o-mini'),
  'anthropic': anthropic(process.env.ANTHROPIC_MODEL ?? 'claude-sonnet-4-5'),
};
const only = process.argv[2];
let failed = 0;
for (const [name, model] of Object.entries(models)) {
  if (only && only !== name) continue;
  const step = async (what, fn) => {
    try { console.log(`${name} ${what}: ${await fn()}`); }
    catch (e) { failed++; console.log(`${name} ${what}: FAILED ${e?.constructor?.name}: ${e?.message}`); if (process.env.DEBUG) console.log(e); }
  };
  await step('generateText', async () => {
    const r = await generateText({ model, prompt: 'Say hello in one sentence.' });
    return `${JSON.stringify(r.text.slice(0, 60))} finish=${r.finishReason} usage=${r.usage.inputTokens}/${r.usage.outputTokens}`;
  });
  await step('streamText', async () => {
    const r = streamText({ model, prompt: 'Say hello in one sentence.', onError: ({ error }) => { throw error; } });
    let parts = 0;
    for await (const _ of r.textStream) parts++;
    return `${parts} text parts, ${JSON.stringify((await r.text).slice(0, 60))} finish=${await r.finishReason} usage=${(await r.usage).outputTokens}`;
  });
  await step('generateText+tool', async () => {
    const r = await generateText({ model, tools: { weather }, stopWhen: stepCountIs(5),
      prompt: 'What is the weather in Paris? Use the weather tool.' });
    const calls = r.steps.flatMap(s => s.toolCalls.map(c => `${c.toolName}(${JSON.stringify(c.input)})`));
    return `steps=${r.steps.length} calls=${calls.join(',') || 'none'} final=${JSON.stringify(r.text.slice(0, 50))} finish=${r.finishReason}`;
  });
  await step('streamText+tool', async () => {
    const r = streamText({ model, tools: { weather }, stopWhen: stepCountIs(5),
      prompt: 'What is the weather in Paris? Use the weather tool.', onError: ({ error }) => { throw error; } });
    for await (const _ of r.fullStream) { /* drain */ }
    const steps = await r.steps;
    const calls = steps.flatMap(s => s.toolCalls.map(c => `${c.toolName}(${JSON.stringify(c.input)})`));
    return `steps=${steps.length} calls=${calls.join(',') || 'none'} final=${JSON.stringify((await r.text).slice(0, 50))} finish=${await r.finishReason}`;
  });
  await step('second turn', async () => {
    // With openai(model) and store: true (the default) the SDK sends the first answer back as an item_reference.
    const messages = [{ role: 'user', content: 'Say hello in one sentence.' }];
    const first = await generateText({ model, messages });
    messages.push(...first.response.messages, { role: 'user', content: 'Once more, shorter.' });
    const second = await generateText({ model, messages });
    return JSON.stringify(second.text.slice(0, 60));
  });
  await step('generateObject', async () => {
    const r = await generateObject({ model, prompt: 'Invent a person called Ada.',
      schema: z.object({ name: z.string(), age: z.number() }) });
    return JSON.stringify(r.object);
  });
}
process.exit(failed ? 1 : 0);
