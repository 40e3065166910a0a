import { BallastError, ERROR_CODES, type UsageEvent } from '#contracts';
import { InstantClock } from '#models';
import { startEmbeddingsEndpoint } from '../../test/embeddings-endpoint.js';
import { OpenAiEmbedder, type OpenAiEmbedderOptions } from './openai.embedder.js';

const context = (requestId: string, tenantId = 'acme') => ({ requestId, tenantId, promptName: 'support-answer', promptVersion: 3 });

/** An embedder whose backoff takes no wall time (`InstantClock`), recording its usage events. */
function embedderFor(url: string, options: Partial<OpenAiEmbedderOptions> = {}) {
  const usage: UsageEvent[] = [];
  const clock = new InstantClock();
  const embedder = new OpenAiEmbedder({ model: 'text-embedding-3-small', dimensions: 3, baseUrl: url, clock, onUsage: (e) => usage.push(e), ...options });
  return { embedder, usage, clock };
}

describe('OpenAiEmbedder', () => {
  it('posts batches to /embeddings with the key, and returns unit vectors in the order of the texts', async () => {
    const endpoint = await startEmbeddingsEndpoint();
    try {
      const { embedder } = embedderFor(`${endpoint.url}/`, { apiKey: 'sk-test', batchSize: 2 });
      const vectors = await embedder.embed(['a', 'bbb', 'cc']);
      expect(endpoint.calls.map((c) => [c.path, c.auth, c.body.input])).toEqual([
        ['/v1/embeddings', 'Bearer sk-test', ['a', 'bbb']],
        ['/v1/embeddings', 'Bearer sk-test', ['cc']],
      ]);
      expect(vectors.map((v) => Math.round((v[0]! / v[1]!) * 100) / 100)).toEqual([1, 3, 2]);
      expect(vectors[1]![0]! ** 2 + vectors[1]![1]! ** 2).toBeCloseTo(1, 5);
    } finally {
      await endpoint.close();
    }
  });

  it('sends concurrent calls in one request, gives each caller its own vectors, and reports each request its share of the tokens and cost', async () => {
    const endpoint = await startEmbeddingsEndpoint();
    try {
      const { embedder, usage } = embedderFor(endpoint.url);
      const [a, b, c] = await Promise.all([
        embedder.embed(['aaaa'], { context: context('r-1') }),
        embedder.embed(['bbbbbbbbbbbb'], { context: context('r-2', 'globex') }),
        embedder.embed(['cccccccc', 'dddd']),
      ]);
      expect(endpoint.calls.map((call) => call.body.input)).toEqual([['aaaa', 'bbbbbbbbbbbb', 'cccccccc', 'dddd']]);
      expect([a, b, c].map((vs) => vs.map((v) => Math.round(v[0]! / v[1]!)))).toEqual([[4], [12], [8, 4]]);
      // 28 tokens for 28 characters: r-1 sent 4 of them, r-2 12; the caller without a context is not reported.
      expect(usage.map((u) => [u.requestId, u.tenantId, u.kind, u.model, u.status, u.inputTokens, u.estimated])).toEqual([
        ['r-1', 'acme', 'cache', 'text-embedding-3-small', 'ok', 4, true],
        ['r-2', 'globex', 'cache', 'text-embedding-3-small', 'ok', 12, true],
      ]);
      expect(usage[1]!.costUsd).toBeCloseTo((12 * 0.02) / 1_000_000, 12);
      expect(usage[1]).toMatchObject({ promptName: 'support-answer', promptVersion: 3, provider: 'openai-compatible', call: 1, priceTableVersion: expect.any(String) });
    } finally {
      await endpoint.close();
    }
  });

  it('retries a 500, a 429 and a timeout with backoff, then answers; every attempt is a usage event', async () => {
    const endpoint = await startEmbeddingsEndpoint(['500', '429', 'hang']);
    try {
      const { embedder, usage, clock } = embedderFor(endpoint.url, { timeoutMs: 200, retry: { maxAttempts: 4 } });
      expect(await embedder.embed(['hello'], { context: context('r-3') })).toHaveLength(1);
      expect(endpoint.calls).toHaveLength(4);
      expect(clock.sleeps).toHaveLength(3);
      expect(usage.map((u) => [u.call, u.status, u.errorType ?? null, u.inputTokens])).toEqual([
        [1, 'error', 'http_500', 0],
        [2, 'error', 'http_429', 0],
        [3, 'error', 'timeout', 0],
        [4, 'ok', null, 5],
      ]);
      expect(usage[3]!.estimated).toBe(false);
    } finally {
      await endpoint.close();
    }
  });

  it("waits the endpoint's Retry-After before trying again", async () => {
    const endpoint = await startEmbeddingsEndpoint(['429-retry-after-2']);
    try {
      const { embedder, clock } = embedderFor(endpoint.url);
      expect(await embedder.embed(['hello'])).toHaveLength(1);
      expect(clock.sleeps[0]).toBeGreaterThanOrEqual(2_000);
    } finally {
      await endpoint.close();
    }
  });

  it('gives up after its attempts with a stable code naming the endpoint', async () => {
    const endpoint = await startEmbeddingsEndpoint(['500', '500', '500']);
    try {
      const { embedder } = embedderFor(endpoint.url, { retry: { maxAttempts: 3 } });
      const error = (await embedder.embed(['hello']).catch((e: unknown) => e)) as BallastError;
      expect(error).toBeInstanceOf(BallastError);
      expect(error.code).toBe(ERROR_CODES.providerError);
      expect(error.message).toMatch(/\/v1\/embeddings answered HTTP 500/);
      expect(endpoint.calls).toHaveLength(3);
    } finally {
      await endpoint.close();
    }
  });

  it('opens its circuit after repeated failures: calls then fail at once without reaching the endpoint, until a probe succeeds', async () => {
    const endpoint = await startEmbeddingsEndpoint([], { always: '503' });
    try {
      const { embedder, usage, clock } = embedderFor(endpoint.url, { retry: { maxAttempts: 1 }, circuit: { minimumCalls: 4, failureRateThreshold: 0.5, cooldownMs: 15_000 } });
      for (let i = 0; i < 4; i++) await expect(embedder.embed([`q${i}`])).rejects.toThrow(/HTTP 503/);
      expect(embedder.breaker.state).toBe('open');
      const open = (await embedder.embed(['q4'], { context: context('r-4') }).catch((e: unknown) => e)) as BallastError;
      expect([open.code, open.message]).toEqual([ERROR_CODES.providerUnavailable, expect.stringMatching(/circuit is open/)]);
      expect(endpoint.calls).toHaveLength(4);
      expect(usage.at(-1)).toMatchObject({ requestId: 'r-4', status: 'error', errorType: 'circuit_open', inputTokens: 0 });

      // After the cool-down one probe goes through; the endpoint has recovered, so the circuit closes.
      endpoint.setAlways(undefined);
      clock.advance(15_000);
      expect(await embedder.embed(['q5'])).toHaveLength(1);
      expect(endpoint.calls).toHaveLength(5);
      expect(embedder.breaker.state).toBe('closed');
    } finally {
      await endpoint.close();
    }
  });

  it('refuses vectors of the wrong size without retrying', async () => {
    const endpoint = await startEmbeddingsEndpoint(['short']);
    try {
      const { embedder } = embedderFor(endpoint.url);
      await expect(embedder.embed(['hello'])).rejects.toThrow(/vector of 1 for model text-embedding-3-small, configured with 3 dimensions/);
      expect(endpoint.calls).toHaveLength(1);
    } finally {
      await endpoint.close();
    }
  });

  it('reports an endpoint that is down as unavailable', async () => {
    const { embedder } = embedderFor('http://127.0.0.1:9/v1', { retry: { maxAttempts: 1 } });
    const error = (await embedder.embed(['hello']).catch((e: unknown) => e)) as BallastError;
    expect(error.code).toBe(ERROR_CODES.providerUnavailable);
  });

  it('a caller whose signal aborts stops waiting; the others in its request still get their vectors', async () => {
    const endpoint = await startEmbeddingsEndpoint();
    try {
      const { embedder } = embedderFor(endpoint.url);
      const controller = new AbortController();
      const gone = embedder.embed(['first'], { signal: controller.signal });
      const stays = embedder.embed(['second']);
      controller.abort(new Error('deadline'));
      await expect(gone).rejects.toThrow('deadline');
      expect(await stays).toHaveLength(1);
    } finally {
      await endpoint.close();
    }
  });
});
