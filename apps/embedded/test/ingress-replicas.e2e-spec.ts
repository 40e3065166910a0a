import { jest } from '@jest/globals';
import type { LlmResponse } from '#contracts';
import { shutdownTelemetry, startTelemetry } from '#observability';
import { startEmbedded, type Embedded } from '../src/embedded.js';

const API_KEY = 'test-key-replicas';
jest.setTimeout(60_000);

describe('ingress with several replicas', () => {
  let ballast: Embedded;

  beforeAll(async () => {
    await startTelemetry({ serviceName: 'ballast-test', exporter: 'none' });
    ballast = await startEmbedded({ port: 0, apiKey: API_KEY, promptsDir: 'prompts', ingressReplicas: 2 });
  });
  afterAll(async () => {
    await ballast?.stop();
    await shutdownTelemetry();
  });

  const post = (base: string, body: unknown, raw?: string) =>
    fetch(`${base}/v1/requests?wait=true`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: raw ?? JSON.stringify(body),
    });

  it('gives every HTTP waiter its own answer, whichever replica it called', async () => {
    expect(ballast.urls).toHaveLength(2);
    const calls = Array.from({ length: 40 }, (_, i) => {
      const base = ballast.urls[i % 2]!;
      return post(base, { requestId: `replica-${i}`, prompt: { name: 'support-answer' }, variables: { question: `question number ${i}` } }).then(
        async (res) => ({ i, status: res.status, outcome: (await res.json()) as LlmResponse }),
      );
    });
    const results = await Promise.all(calls);
    for (const { i, status, outcome } of results) {
      expect(status).toBe(200);
      expect(outcome.requestId).toBe(`replica-${i}`);
      expect(outcome.status).toBe('completed');
    }
  });

  it('answers a repeated requestId on the other replica with the first outcome', async () => {
    const body = { requestId: 'cross-replica', prompt: { name: 'support-answer' }, variables: { question: 'Where is my order?' } };
    const first = (await (await post(ballast.urls[0]!, body)).json()) as LlmResponse;
    const second = (await (await post(ballast.urls[1]!, body)).json()) as LlmResponse;
    expect(second).toEqual(first);
  });

  it('refuses a body over the size limit with 413 and a stable code', async () => {
    const huge = JSON.stringify({ requestId: 'huge', prompt: { name: 'support-answer' }, variables: { question: 'x'.repeat(2_000_000) } });
    const res = await post(ballast.url, null, huge);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('ballast.payload_too_large');
  });
});
