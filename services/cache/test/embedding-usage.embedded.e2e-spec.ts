import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { metricsRegistry } from '#observability';
import { startEmbedded, type Embedded } from '../../../apps/embedded/src/embedded.js';
import { startEmbeddingsEndpoint } from './embeddings-endpoint.js';

jest.setTimeout(120_000);

const API_KEY = 'test-key-embedding-usage';
const QUESTION = 'How do I reset the password of my account?';

/** Embedded Ballast with the OpenAI-compatible embedder on a local endpoint: its calls are usage the metrics stage counts. */
describe('embedding usage in embedded mode', () => {
  let dataDir: string;
  let ballast: Embedded | undefined;
  let endpoint: Awaited<ReturnType<typeof startEmbeddingsEndpoint>>;

  beforeAll(async () => {
    endpoint = await startEmbeddingsEndpoint();
    dataDir = mkdtempSync(join(tmpdir(), 'ballast-embedding-usage-'));
    const env = {
      CACHE_DEFAULT_MODE: 'semantic',
      CACHE_EMBEDDINGS_URL: endpoint.url,
      CACHE_EMBEDDINGS_MODEL: 'text-embedding-3-small',
      CACHE_EMBEDDINGS_DIMENSIONS: '3',
      CACHE_SEMANTIC_TIMEOUT_MS: '5000',
    };
    ballast = await startEmbedded({ port: 0, apiKey: API_KEY, promptsDir: 'prompts', dataDir, env });
  });
  afterAll(async () => {
    await ballast?.stop();
    await endpoint?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const series = async (name: string) =>
    ((await metricsRegistry.getSingleMetric(name)?.get())?.values ?? []).filter((v) => v.labels['kind'] === 'cache' && v.labels['tenant'] === 'demo' && v.labels['model'] === 'text-embedding-3-small');

  it("reports the embedding call of a look-up as the request's usage: tokens and cost by model and tenant on /metrics", async () => {
    const res = await fetch(`${ballast!.url}/v1/requests?wait=true`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ requestId: 'emb-usage-1', prompt: { name: 'support-answer' }, variables: { question: QUESTION } }),
    });
    expect([res.status, res.headers.get('x-ballast-cache')]).toEqual([200, 'miss']);
    // The look-up embedded the question once; the store after inference reused that vector.
    expect(endpoint.calls.map((c) => c.body.input)).toEqual([[QUESTION]]);

    // The fake endpoint bills one token per character.
    for (let i = 0; i < 400 && (await series('ballast_tokens_total')).length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    const tokens = (await series('ballast_tokens_total')).filter((v) => v.labels['direction'] === 'input');
    expect(tokens.map((v) => [v.labels['prompt'], v.value])).toEqual([['support-answer', QUESTION.length]]);
    const cost = await series('ballast_cost_usd_total');
    expect(cost).toHaveLength(1);
    expect(cost[0]!.value).toBeCloseTo((QUESTION.length * 0.02) / 1_000_000, 12);
  });
});
