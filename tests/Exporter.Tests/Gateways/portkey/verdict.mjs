// The official OpenAI SDK's verdict on one request through a gateway: what an application using the SDK would see.
// Env: BASE_URL (ending in /v1), API_KEY, HEADERS (a JSON object of extra headers), CHECK (models, chat or stream), MODEL.
// Prints one JSON line: { ok, status, error, complete, models, content, usage, ttft_ms }.
import OpenAI from 'openai';

const env = (name) => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`environment variable ${name} is not set`);
  return value;
};

// No retries: the verdict is on the one request the exporter also sends.
const client = new OpenAI({
  baseURL: env('BASE_URL'),
  apiKey: env('API_KEY'),
  defaultHeaders: JSON.parse(env('HEADERS')),
  maxRetries: 0,
  timeout: 20_000,
});
const check = env('CHECK');
const request = { model: process.env.MODEL, messages: [{ role: 'user', content: 'Reply with OK' }], max_tokens: 5 };

async function run() {
  if (check === 'models') {
    const page = await client.models.list();
    return { ok: true, status: 200, complete: true, models: page.data.map((m) => m.id) };
  }
  if (check === 'chat') {
    const reply = await client.chat.completions.create(request);
    const choice = reply.choices[0];
    return { ok: true, status: 200, complete: choice?.finish_reason != null, content: choice?.message?.content, usage: reply.usage };
  }
  const started = performance.now();
  const stream = await client.chat.completions.create({ ...request, stream: true, stream_options: { include_usage: true } });
  let content = '', finish = null, usage = null, ttft = null;
  for await (const chunk of stream) {
    const delta = chunk.choices[0]?.delta?.content;
    if (delta) {
      ttft ??= performance.now() - started;
      content += delta;
    }
    finish = chunk.choices[0]?.finish_reason ?? finish;
    usage = chunk.usage ?? usage;
  }
  // A stream that ends without a finish reason is an answer cut short, whatever the transport says.
  return { ok: true, status: 200, complete: finish !== null, content, usage, ttft_ms: ttft };
}

let verdict;
try {
  verdict = await run();
} catch (e) {
  verdict = { ok: false, status: e.status ?? null, error: e.constructor.name, complete: false };
}
console.log(JSON.stringify(verdict));
