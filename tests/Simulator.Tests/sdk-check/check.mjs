// Drives the official OpenAI and Anthropic SDKs against the relay simulator and checks what they parse.
// Env: SIM_OPENAI_URL, SIM_ANTHROPIC_URL, SIM_DEEPSEEK_URL (base URLs without /v1).
// Prints one JSON summary line on success; exits 1 with a message on the first failure.
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';

const EXPECTED = 'OK. This is the relay simulator answering.';
const PROMPT = [{ role: 'user', content: 'Reply with OK' }];
const PROMPT_TOKENS = 3;
const REPLY_TOKENS = 7;

function env(name) {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

function expect(what, actual, expected) {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

async function expectError(what, promise, errorClass, status) {
  try {
    await promise;
  } catch (e) {
    if (!(e instanceof errorClass) || e.status !== status) {
      throw new Error(`${what}: expected ${errorClass.name} ${status}, got ${e?.constructor?.name} ${e?.status}: ${e?.message}`);
    }
    return e;
  }
  throw new Error(`${what}: expected ${errorClass.name}, but the call succeeded`);
}

async function checkOpenAi(baseUrl, model, reasoning) {
  const client = new OpenAI({ baseURL: `${baseUrl}/v1`, apiKey: 'sk-sim', maxRetries: 0, timeout: 10_000 });
  const completionTokens = REPLY_TOKENS + reasoning;

  const models = (await client.models.list()).data.map((m) => m.id);
  if (!models.includes(model)) throw new Error(`models.list: ${model} not in ${models}`);

  const completion = await client.chat.completions.create({ model, messages: PROMPT, max_tokens: 64 });
  expect('chat content', completion.choices[0].message.content, EXPECTED);
  expect('chat finish_reason', completion.choices[0].finish_reason, 'stop');
  expect('chat usage', [completion.usage.prompt_tokens, completion.usage.completion_tokens, completion.usage.total_tokens],
    [PROMPT_TOKENS, completionTokens, PROMPT_TOKENS + completionTokens]);

  const truncated = await client.chat.completions.create({ model, messages: PROMPT, max_completion_tokens: 2 });
  expect('truncated content', truncated.choices[0].message.content, 'OK. This');
  expect('truncated finish_reason', truncated.choices[0].finish_reason, 'length');

  const stream = await client.chat.completions.create({
    model, messages: PROMPT, stream: true, stream_options: { include_usage: true },
  });
  let text = '';
  let thinking = '';
  let finishReason = null;
  let usage = null;
  let chunks = 0;
  for await (const chunk of stream) {
    chunks++;
    const choice = chunk.choices[0];
    if (choice?.delta?.content) text += choice.delta.content;
    if (choice?.delta?.reasoning_content) thinking += choice.delta.reasoning_content;
    if (choice?.finish_reason) finishReason = choice.finish_reason;
    if (chunk.usage) usage = chunk.usage;
  }
  expect('stream content', text, EXPECTED);
  expect('stream finish_reason', finishReason, 'stop');
  expect('stream usage', usage && usage.completion_tokens, completionTokens);
  if (reasoning > 0 && thinking.length === 0) throw new Error('stream: no reasoning_content deltas');

  const runner = client.chat.completions.stream({ model, messages: PROMPT, max_tokens: 3 });
  const final = await runner.finalChatCompletion();
  expect('stream helper content', final.choices[0].message.content, 'OK. This is');
  expect('stream helper finish_reason', final.choices[0].finish_reason, 'length');

  const missing = await expectError('unknown model', client.chat.completions.create({ model: 'no-such-model', messages: PROMPT }),
    OpenAI.NotFoundError, 404);
  expect('unknown model code', missing.code, 'model_not_found');

  return { models, content: completion.choices[0].message.content, stream: { chunks, content: text, finish_reason: finishReason, usage } };
}

async function checkAnthropic(baseUrl, model) {
  const client = new Anthropic({ baseURL: baseUrl, apiKey: 'sk-ant-sim', maxRetries: 0, timeout: 10_000 });

  const models = (await client.models.list()).data.map((m) => m.id);
  if (!models.includes(model)) throw new Error(`models.list: ${model} not in ${models}`);

  const message = await client.messages.create({ model, max_tokens: 64, messages: PROMPT });
  expect('message content', message.content[0].text, EXPECTED);
  expect('message stop_reason', message.stop_reason, 'end_turn');
  expect('message usage', [message.usage.input_tokens, message.usage.output_tokens], [PROMPT_TOKENS, REPLY_TOKENS]);

  const stream = client.messages.stream({ model, max_tokens: 64, messages: PROMPT });
  let text = '';
  const events = [];
  stream.on('text', (delta) => { text += delta; });
  stream.on('streamEvent', (event) => { events.push(event.type); });
  const final = await stream.finalMessage();
  expect('stream text', text, EXPECTED);
  expect('stream final content', final.content[0].text, EXPECTED);
  expect('stream stop_reason', final.stop_reason, 'end_turn');
  expect('stream usage', [final.usage.input_tokens, final.usage.output_tokens], [PROMPT_TOKENS, REPLY_TOKENS]);

  const truncated = await client.messages.stream({ model, max_tokens: 2, messages: PROMPT }).finalMessage();
  expect('truncated content', truncated.content[0].text, 'OK. This');
  expect('truncated stop_reason', truncated.stop_reason, 'max_tokens');

  const missing = await expectError('unknown model', client.messages.create({ model: 'no-such-model', max_tokens: 8, messages: PROMPT }),
    Anthropic.NotFoundError, 404);
  expect('unknown model error type', missing.error?.error?.type, 'not_found_error');

  return { models, content: message.content[0].text, stream: { events, content: final.content[0].text, stop_reason: final.stop_reason, usage: final.usage } };
}

try {
  const summary = {
    openai: await checkOpenAi(env('SIM_OPENAI_URL'), 'gpt-4.1', 0),
    deepseek: await checkOpenAi(env('SIM_DEEPSEEK_URL'), 'deepseek-reasoner', 10),
    anthropic: await checkAnthropic(env('SIM_ANTHROPIC_URL'), 'claude-sonnet-4.5'),
  };
  console.log(JSON.stringify(summary));
} catch (e) {
  console.error(`sdk-check failed: ${e?.stack ?? e}`);
  process.exitCode = 1;
}
