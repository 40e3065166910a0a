import OpenAI from 'openai';
import { TOPICS, type LlmResponse, type UsageEvent } from '#contracts';
import { waitUntil } from '#testing';
import { finishedSpans, resetFinishedSpans, shutdownTelemetry, startTelemetry } from '#observability';
import { startEmbedded, type Embedded } from '../src/embedded.js';

const API_KEY = 'test-key-embedded';
import { jest } from '@jest/globals';
jest.setTimeout(60_000);

describe('embedded Ballast over HTTP', () => {
  let ballast: Embedded;

  beforeAll(async () => {
    await startTelemetry({ serviceName: 'ballast-test', exporter: 'memory' });
    ballast = await startEmbedded({ port: 0, apiKey: API_KEY, promptsDir: 'prompts' });
  });
  afterAll(async () => {
    await ballast?.stop();
    await shutdownTelemetry();
  });
  afterEach(() => resetFinishedSpans());

  function post(path: string, body: unknown, key = API_KEY) {
    return fetch(`${ballast.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }
  const ask = (requestId: string, question: string) =>
    post('/v1/requests?wait=true', { requestId, prompt: { name: 'support-answer' }, variables: { question } });

  function inferenceCalls(requestId: string): number {
    return ballast.broker
      .records(TOPICS.usage)
      .map((r) => JSON.parse(r.value.toString()).payload as UsageEvent)
      .filter((u) => u.kind === 'inference' && u.requestId === requestId).length;
  }

  it('answers a request with a completed outcome, per-stage timings and one trace across all six stages', async () => {
    const res = await ask('trace-1', 'Where is my parcel?');
    expect(res.status).toBe(200);
    const outcome = (await res.json()) as LlmResponse;
    expect(outcome.status).toBe('completed');
    expect(outcome.content).toMatch(/Simulated answer/);
    expect(outcome.prompt).toEqual({ name: 'support-answer', version: 1 });
    expect(res.headers.get('x-ballast-prompt-version')).toBe('1');
    expect(outcome.timings.stages.map((t) => t.stage)).toEqual(['guardrail', 'cache', 'inference', 'guardrail']);
    expect(outcome.timings.totalMs).toBeGreaterThanOrEqual(0);

    const stagesOf = () => {
      const spans = finishedSpans().filter((s) => s.attributes['ballast.request_id'] === 'trace-1');
      return { traces: new Set(spans.map((s) => s.spanContext().traceId)), stages: new Set(spans.map((s) => s.attributes['ballast.stage'])) };
    };
    await waitUntil(() => stagesOf().stages.size === 6, 'spans from all six stages');
    const { traces, stages } = stagesOf();
    expect([...stages].sort()).toEqual(['cache', 'guardrail', 'inference', 'ingress', 'judge', 'metrics']);
    expect(traces.size).toBe(1);
  });

  it('serves the OpenAI SDK: chat.completions.create returns a valid completion', async () => {
    const client = new OpenAI({ baseURL: `${ballast.url}/v1`, apiKey: API_KEY, maxRetries: 0 });
    const completion = await client.chat.completions.create({
      model: 'prompt:support-answer',
      messages: [{ role: 'user', content: 'Can I return shoes after 30 days?' }],
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0]!.message.content).toMatch(/Simulated answer/);
    expect(completion.usage!.total_tokens).toBeGreaterThan(0);

    const adHoc = await client.chat.completions.create({ model: 'sim-1', messages: [{ role: 'user', content: 'Hello there' }] });
    expect(adHoc.choices[0]!.message.content).toMatch(/sim-1/);

    const models = await client.models.list();
    const ids = models.data.map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(['sim-1', 'prompt:support-answer']));
  });

  it('returns the first outcome for a repeated requestId without calling the model again', async () => {
    const first = (await (await ask('same-id', 'How long does delivery take?')).json()) as LlmResponse;
    const again = (await (await ask('same-id', 'How long does delivery take?')).json()) as LlmResponse;
    expect(again).toEqual(first);
    expect(inferenceCalls('same-id')).toBe(1);
  });

  it('answers a second identical request from the cache', async () => {
    const a = await ask('cache-a', 'Do you ship to Norway?');
    expect(a.headers.get('x-ballast-cache')).toBe('miss');
    const b = await ask('cache-b', 'Do you ship to Norway?');
    const outcome = (await b.json()) as LlmResponse;
    expect(b.headers.get('x-ballast-cache')).toBe('hit-exact');
    expect(outcome.source).toBe('cache');
    expect(outcome.content).toBe(((await (await fetch(`${ballast.url}/v1/requests/cache-a`, { headers: { authorization: `Bearer ${API_KEY}` } })).json()) as LlmResponse).content);
    expect(inferenceCalls('cache-b')).toBe(0);
  });

  it('returns 202 with a location without ?wait, and the outcome there once it is ready', async () => {
    const res = await post('/v1/requests', { requestId: 'async-1', prompt: { name: 'support-answer' }, variables: { question: 'Hi' } });
    expect(res.status).toBe(202);
    const location = res.headers.get('location')!;
    let body: { status: string } = { status: 'pending' };
    for (let i = 0; i < 200 && body.status === 'pending'; i++) {
      body = (await (await fetch(`${ballast.url}${location}`, { headers: { authorization: `Bearer ${API_KEY}` } })).json()) as { status: string };
      if (body.status === 'pending') await new Promise((r) => setTimeout(r, 10));
    }
    expect(body.status).toBe('completed');
  });

  it('returns structured output that conforms to the prompt schema', async () => {
    const res = await post('/v1/requests?wait=true', { requestId: 'json-1', prompt: { name: 'extract-contact' }, variables: { text: 'Reach Ada at ada@example.org' } });
    const outcome = (await res.json()) as LlmResponse;
    expect(outcome.status).toBe('completed');
    expect(outcome.parsed).toEqual({ name: expect.any(String), email: expect.stringContaining('@') });
  });

  it('rejects bad input with clear errors and stable codes', async () => {
    const noKey = await fetch(`${ballast.url}/v1/requests`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(noKey.status).toBe(401);
    expect(((await noKey.json()) as { error: { code: string } }).error.code).toBe('ballast.unauthorized');

    const invalid = await post('/v1/requests', { requestId: 'bad id with spaces', prompt: { name: 'support-answer' } });
    expect(invalid.status).toBe(400);
    const err = ((await invalid.json()) as { error: { code: string; details: Array<{ path: string }> } }).error;
    expect(err.code).toBe('ballast.invalid_request');
    expect(err.details.map((d) => d.path)).toContain('requestId');

    const unknown = await post('/v1/requests?wait=true', { requestId: 'nf-1', prompt: { name: 'no-such-prompt' } });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('ballast.prompt_not_found');

    const missingVar = await post('/v1/requests?wait=true', { requestId: 'mv-1', prompt: { name: 'support-answer' }, variables: {} });
    expect(missingVar.status).toBe(400);
    expect(((await missingVar.json()) as { error: { code: string; message: string } }).error.message).toContain('question');
  });

  it('blocks an input over the size limit before the model is called', async () => {
    const res = await ask('big-1', 'x'.repeat(150_000));
    const outcome = (await res.json()) as LlmResponse;
    expect(outcome.status).toBe('blocked');
    expect(outcome.error?.code).toBe('ballast.guardrail.blocked');
    expect(inferenceCalls('big-1')).toBe(0);
  });
});
