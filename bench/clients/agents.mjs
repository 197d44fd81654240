// The OpenAI Agents SDK against Lijiaoqiao (docs/clients.md): the default model class (OpenAIResponsesModel), one
// function tool, run() and run({ stream: true }).
//   LJQ_BASE_URL=http://127.0.0.1:8080/v1 LJQ_API_KEY=lgw-… node agents.mjs
//   (MODEL=claude-sonnet-4-5 for another model, AGENTS_API=chat_completions for the Chat Completions model class)
import OpenAI from 'openai';
import { Agent, run, tool, setDefaultOpenAIClient, setOpenAIAPI, setTracingDisabled } from '@openai/agents';
import { z } from 'zod';

setDefaultOpenAIClient(new OpenAI({ baseURL: process.env.LJQ_BASE_URL ?? 'http://127.0.0.1:8080/v1',
  apiKey: process.env.LJQ_API_KEY }));
setOpenAIAPI(process.env.AGENTS_API ?? 'responses'); // the default; 'chat_completions' works too
setTracingDisabled(true);  // tracing would upload to OpenAI

const getWeather = tool({
  name: 'get_weather',
  description: 'Get the current weather in a city',
  parameters: z.object({ city: z.string() }),
  execute: async ({ city }) => `It is 21°C and clear in ${city}.`,
});
const agent = new Agent({ name: 'Assistant', instructions: 'You answer briefly.',
  model: process.env.MODEL ?? 'gpt-4o-mini', tools: [getWeather] });

let failed = 0;
const show = (r) => r.newItems.map(i => i.type === 'tool_call_item' ? `call:${i.rawItem.name}(${i.rawItem.arguments})`
  : i.type === 'tool_call_output_item' ? `output:${JSON.stringify(String(i.output).slice(0, 30))}` : i.type).join(' ');
for (const [what, prompt] of [['plain', 'Say hello in one sentence.'], ['tool', 'What is the weather in Paris? Use the get_weather tool.']]) {
  try {
    const r = await run(agent, prompt);
    console.log(`run ${what}: items=[${show(r)}] final=${JSON.stringify(String(r.finalOutput).slice(0, 60))}`);
  } catch (e) { failed++; console.log(`run ${what}: FAILED ${e?.constructor?.name}: ${e?.message}`); if (process.env.DEBUG) console.log(e); }
  try {
    const s = await run(agent, prompt, { stream: true });
    let deltas = 0;
    for await (const ev of s) if (ev.type === 'raw_model_stream_event' && ev.data.type === 'output_text_delta') deltas++;
    await s.completed;
    if (s.error) throw s.error;
    console.log(`stream ${what}: ${deltas} text deltas, items=[${show(s)}] final=${JSON.stringify(String(s.finalOutput).slice(0, 60))}`);
  } catch (e) { failed++; console.log(`stream ${what}: FAILED ${e?.constructor?.name}: ${e?.message}`); if (process.env.DEBUG) console.log(e); }
}
process.exit(failed ? 1 : 0);
