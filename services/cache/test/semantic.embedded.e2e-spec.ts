import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import type { LlmResponse } from '#contracts';
import { startEmbedded, type Embedded } from '../../../apps/embedded/src/embedded.js';

jest.setTimeout(120_000);

const API_KEY = 'test-key-semantic';

/** Embedded Ballast (pgvector on PGlite, local embedder) with semantic look-ups on for every prompt. */
describe('semantic cache in embedded mode', () => {
  let dataDir: string;
  let ballast: Embedded | undefined;
  // A generous look-up budget: on a loaded machine the default 150 ms runs out and the look-up fails
  // open as a miss (by design, tested in semantic-lookup.spec.ts); this test is about what hits.
  const env = { CACHE_DEFAULT_MODE: 'semantic', CACHE_SEMANTIC_THRESHOLD: '0.8', CACHE_SEMANTIC_TIMEOUT_MS: '5000' };
  const start = () => startEmbedded({ port: 0, apiKey: API_KEY, promptsDir: 'prompts', dataDir, env });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ballast-semantic-'));
    ballast = await start();
  });
  afterAll(async () => {
    await ballast?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const ask = async (requestId: string, question: string) => {
    const res = await fetch(`${ballast!.url}/v1/requests?wait=true`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ requestId, prompt: { name: 'support-answer' }, variables: { question } }),
    });
    return { headers: res.headers, body: (await res.json()) as LlmResponse };
  };

  it('answers a paraphrase from the cache with its similarity, refuses a different question, and keeps the entry across a restart', async () => {
    const first = await ask('sem-1', 'How do I reset the password of my account?');
    expect([first.body.status, first.headers.get('x-ballast-cache')]).toEqual(['completed', 'miss']);

    const paraphrase = await ask('sem-2', 'how can I reset my account password');
    expect(paraphrase.headers.get('x-ballast-cache')).toBe('hit-semantic');
    expect(paraphrase.body.content).toBe(first.body.content);
    expect(Number(paraphrase.headers.get('x-ballast-cache-similarity'))).toBeGreaterThanOrEqual(0.8);
    expect(paraphrase.body.cacheSimilarity).toBeCloseTo(Number(paraphrase.headers.get('x-ballast-cache-similarity')), 3);

    const negated = await ask('sem-3', 'Why can I not reset the password of my account?');
    expect(negated.headers.get('x-ballast-cache')).toBe('miss');

    await ballast!.stop();
    ballast = await start();
    const afterRestart = await ask('sem-4', 'How can I reset the password for my account?');
    expect(afterRestart.headers.get('x-ballast-cache')).toBe('hit-semantic');
    expect(afterRestart.body.content).toBe(first.body.content);
  });
});
