import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { runCliCapturing } from '../../test/run-in-process.js';

jest.setTimeout(120_000);

const PAIRS = [
  { a: 'How do I reset my router password?', b: 'how can i reset the password of my router', duplicate: true },
  { a: 'Best cities to visit in Spain?', b: 'best city to visit in spain', duplicate: true },
  { a: 'What is the population of Norway?', b: 'What is the population of Sweden?', duplicate: false },
  { a: 'Is coffee good for health?', b: 'Is coffee not good for health?', duplicate: false },
  { a: 'How do I learn Python?', b: 'What is the capital of Australia?', duplicate: false },
];

const ballast = runCliCapturing;

describe('ballast cache calibrate', () => {
  let dir: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ballast-cli-cache-'));
    await writeFile(join(dir, 'pairs.jsonl'), PAIRS.map((p) => JSON.stringify(p)).join('\n'));
    await writeFile(join(dir, 'bad.jsonl'), `${JSON.stringify(PAIRS[0])}\n{"a": "only a"}\n`);
    delete process.env['CACHE_EMBEDDINGS_URL'];
  });
  afterAll(async () => {
    process.env = saved;
    await rm(dir, { recursive: true, force: true });
  });

  it('prints one JSON object with the table per threshold and the recommended threshold', async () => {
    const { code, out } = await ballast('cache', 'calibrate', '--pairs', join(dir, 'pairs.jsonl'), '--target-precision', '0.9', '--json');
    expect(code).toBe(0);
    const result = JSON.parse(out) as { embedder: string; pairs: number; table: { threshold: number; precision: number; recall: number }[]; recommendedThreshold: number };
    expect(result).toMatchObject({ embedder: 'ballast-local-ngram-v1', pairs: 5, verification: true });
    expect(result.table.length).toBeGreaterThan(10);
    const row = result.table.find((r) => r.threshold === result.recommendedThreshold)!;
    expect(row.precision).toBeGreaterThanOrEqual(0.9);
    expect(row.recall).toBeGreaterThan(0);
  });

  it('prints a table with a progress bar and the recommendation for people', async () => {
    const { code, out, err } = await ballast('cache', 'calibrate', '--pairs', join(dir, 'pairs.jsonl'), '--target-precision', '0.9');
    expect(code).toBe(0);
    expect(out).toMatch(/threshold\s+precision\s+recall\s+hit rate\s+false hits/);
    expect(out).toMatch(/recommended threshold: 0\.\d+/);
    expect(err).toContain('5/5 pairs');
  });

  it('names the line of a malformed pairs file, and a missing --pairs is a usage error', async () => {
    const bad = await ballast('cache', 'calibrate', '--pairs', join(dir, 'bad.jsonl'));
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/bad\.jsonl line 2 needs "a" and "b" strings and a boolean "duplicate"/);
    expect((await ballast('cache', 'calibrate')).code).toBe(64);
  });
});

describe('ballast cache purge and stats on an embedded data dir', () => {
  let dir: string;
  const saved = { ...process.env };
  const scopes = [
    ['acme', 'support-answer', 3],
    ['acme', 'support-answer', 4],
    ['globex', 'support-answer', 3],
    ['acme', 'extract-contact', 1],
  ] as const;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ballast-cli-cache-purge-'));
    for (const name of ['DATABASE_URL', 'KAFKA_BROKERS', 'QDRANT_URL', 'CACHE_EMBEDDINGS_URL']) delete process.env[name];
    process.env['BALLAST_DATA_DIR'] = dir;
    const { openDataSource, startEmbeddedPostgres } = await import('#persistence');
    const { loadConfig } = await import('#config');
    const { cacheConfig } = await import('../../../../services/cache/src/cache.config.js');
    const { PostgresCacheStore } = await import('../../../../services/cache/src/store/postgres.cache-store.js');
    const { semanticCacheFromConfig } = await import('../../../../services/cache/src/semantic/semantic-cache.factory.js');
    const pg = await startEmbeddedPostgres({ dataDir: dir });
    const ds = await openDataSource({ url: pg.url, poolSize: 1 });
    const exact = new PostgresCacheStore(ds);
    const semantic = semanticCacheFromConfig(loadConfig(cacheConfig.schema, {}), ds)!;
    const completion = { content: 'answer', model: 'sim-1', provider: 'cache', finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 1, cachedTokens: 1, costUsd: 0, estimated: false }, ttftMs: null, durationMs: 0 };
    for (const [i, [tenantId, promptName, promptVersion]] of scopes.entries()) {
      await exact.set(`key-${i}`, completion, 3600, { scope: { tenantId, promptName, promptVersion, model: 'sim-1' } });
      await semantic.store({ key: `key-${i}`, text: 'Where is my parcel?', scope: { tenantId, promptName, promptVersion, model: 'sim-1', paramsHash: 'p' }, completion, expiresAt: new Date(Date.now() + 3_600_000) });
    }
    await semantic.close();
    await exact.close();
    await ds.destroy();
    await pg.stop();
  });
  afterAll(async () => {
    process.env = saved;
    await rm(dir, { recursive: true, force: true });
  });

  const statsRows = async () => {
    const { code, out } = await ballast('cache', 'stats', '--json');
    expect(code).toBe(0);
    return (JSON.parse(out) as { tenantId: string; promptName: string; promptVersion: number; entries: number }[]).map((r) => `${r.tenantId}/${r.promptName}@${r.promptVersion}:${r.entries}`).sort();
  };

  it('stats lists the live entries per tenant, prompt and version', async () => {
    expect(await statsRows()).toEqual(['acme/extract-contact@1:1', 'acme/support-answer@3:1', 'acme/support-answer@4:1', 'globex/support-answer@3:1']);
    const { out } = await ballast('cache', 'stats');
    expect(out).toMatch(/^tenant\s+prompt\s+version\s+entries\s+size/);
  });

  it("purge removes exactly the named scope from both layers: one version of one tenant's prompt", async () => {
    const { code, out } = await ballast('cache', 'purge', '--prompt', 'support-answer@3', '--tenant', 'acme', '--json');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({ exact: 1, semantic: 1 });
    expect(await statsRows()).toEqual(['acme/extract-contact@1:1', 'acme/support-answer@4:1', 'globex/support-answer@3:1']);
    const all = await ballast('cache', 'purge', '--prompt', 'support-answer');
    expect(all.out).toMatch(/purged support-answer in .*: 2 exact-match entries, 2 semantic entries/);
    expect(await statsRows()).toEqual(['acme/extract-contact@1:1']);
  });

  it('names the database and Qdrant variables it reads in its help', async () => {
    const { code, out } = await ballast('cache', 'purge', '--help');
    expect(code).toBe(0);
    expect(out).toMatch(/DATABASE_URL[\s\S]*BALLAST_DATA_DIR[\s\S]*QDRANT_URL/);
    expect(out).not.toContain('BALLAST_ACTOR');
  });

  it('refuses a --prompt that is not name[@version] as a usage error', async () => {
    const { code, err } = await ballast('cache', 'purge', '--prompt', 'Support Answer@x');
    expect(code).toBe(64);
    expect(err).toMatch(/not name or name@version/);
  });
});
