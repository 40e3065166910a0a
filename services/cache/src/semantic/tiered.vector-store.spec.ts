import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { openDataSource, startEmbeddedPostgres, type EmbeddedPostgres } from '#persistence';
import { waitUntil } from '#testing';
import type { Completion } from '#contracts';
import type { DataSource } from 'typeorm';
import { normalize } from './embedder.js';
import { MemoryVectorStore } from './memory.vector-store.js';
import { LocalEmbedder } from './local.embedder.js';
import { PgVectorStore } from './pg.vector-store.js';
import { SemanticCache } from './semantic-cache.js';
import { TieredVectorStore } from './tiered.vector-store.js';
import type { VectorPoint, VectorScope } from './vector.store.js';

const DIMS = 64;
const T0 = new Date('2031-03-01T12:00:00.000Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);

/** A sparse unit vector on the given axes (as the local embedder's hashed n-grams are). */
const sparse = (...axes: number[]): Float32Array => {
  const v = new Float32Array(DIMS);
  for (const a of axes) v[a] = 1;
  return normalize(v);
};
/** A dense unit vector (as an OpenAI-compatible embedder's are). */
const dense = (seed: number): Float32Array => normalize(Float32Array.from({ length: DIMS }, (_, i) => Math.sin(seed * 7.3 + i * 1.7) + 1.1));

const answer = (content: string): Completion => ({
  content,
  model: 'sim-1',
  provider: 'cache',
  finishReason: 'stop',
  usage: { inputTokens: 3, outputTokens: 4, cachedTokens: 3, costUsd: 0, estimated: false },
  ttftMs: null,
  durationMs: 0,
});

const scope: VectorScope = { tenantId: 'acme', promptName: 'support-answer', promptVersion: 3, model: 'sim-1', paramsHash: 'p1' };
const point = (key: string, vector: Float32Array, overrides: Partial<VectorPoint> = {}): VectorPoint => ({
  key,
  vector,
  scope,
  text: `question ${key}`,
  completion: answer(`answer ${key}`),
  expiresAt: at(3600),
  ...overrides,
});
const keysOf = (found: { key: string }[]) => found.map((n) => n.key);

describe('TieredVectorStore over pgvector on PGlite', () => {
  let dir: string;
  let pg: EmbeddedPostgres;
  let ds: DataSource;
  let n = 0;
  const open = async (options: { maxEntries?: number; loadChunk?: number } = {}) => {
    n += 1;
    const store = new TieredVectorStore(new PgVectorStore(ds, `tiered-spec-${n}`, DIMS), DIMS, options);
    await store.ensureCollection();
    await store.whenLoaded();
    return store;
  };
  /** Another instance over the same table, as after a restart. */
  const reopen = async (options: { maxEntries?: number; loadChunk?: number } = {}) => {
    const store = new TieredVectorStore(new PgVectorStore(ds, `tiered-spec-${n}`, DIMS), DIMS, options);
    await store.ensureCollection();
    await store.whenLoaded();
    return store;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ballast-tiered-vector-'));
    pg = await startEmbeddedPostgres({ dataDir: dir });
    ds = await openDataSource({ url: pg.url, poolSize: 1 });
  }, 60_000);
  afterAll(async () => {
    await ds?.destroy();
    await pg?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('finds after a restart of PGlite (same data directory) what was written before it, sparse and dense alike', async () => {
    const store = await open({ loadChunk: 2 });
    await store.upsert([point('s1', sparse(1, 2, 3)), point('s2', sparse(1, 2, 9)), point('d1', dense(1)), point('d2', dense(2))]);
    await store.upsert([point('s1', sparse(1, 2, 3), { completion: answer('refreshed'), expiresAt: at(7200) })]);
    await store.close();
    await ds.destroy();
    await pg.stop();
    pg = await startEmbeddedPostgres({ dataDir: dir });
    ds = await openDataSource({ url: pg.url, poolSize: 1 });

    const again = await reopen({ loadChunk: 2 });
    expect(again.size).toBe(4);
    const found = await again.search(sparse(1, 2, 3), scope, { limit: 2, now: T0 });
    expect(keysOf(found)).toEqual(['s1', 's2']);
    expect(found[0]).toMatchObject({ completion: answer('refreshed'), expiresAt: at(7200), text: 'question s1' });
    expect(found[0]!.similarity).toBeCloseTo(1, 5);
    expect(found[1]!.similarity).toBeCloseTo(2 / 3, 5);
    expect(keysOf(await again.search(dense(2), scope, { limit: 1, now: T0 }))).toEqual(['d2']);
    await again.close();
  }, 60_000);

  it('answers from memory once loaded: the persistent store is not searched', async () => {
    const store = await open();
    await store.upsert([point('a', sparse(4, 5))]);
    const persistentSearch = jest.spyOn(PgVectorStore.prototype, 'search');
    expect(keysOf(await store.search(sparse(4, 5), scope, { now: T0 }))).toEqual(['a']);
    expect(persistentSearch).not.toHaveBeenCalled();
    persistentSearch.mockRestore();
    await store.close();
  });

  it('purges a scope from memory and from the persistent store, so it stays gone after a restart', async () => {
    const store = await open();
    const v4 = { ...scope, promptVersion: 4 };
    await store.upsert([point('v3', sparse(6, 7)), point('v4', sparse(6, 7), { scope: v4 })]);
    expect(await store.deleteScope({ tenantId: 'acme', promptName: 'support-answer', promptVersion: 3 })).toBe(1);
    expect(await store.search(sparse(6, 7), scope, { now: T0 })).toEqual([]);
    expect(keysOf(await store.search(sparse(6, 7), v4, { now: T0 }))).toEqual(['v4']);
    await store.close();

    const again = await reopen();
    expect(await again.search(sparse(6, 7), scope, { now: T0 })).toEqual([]);
    expect(keysOf(await again.search(sparse(6, 7), v4, { now: T0 }))).toEqual(['v4']);
    await again.close();
  });

  it('misses an expired point, prunes it from both, and does not load it after a restart', async () => {
    const store = await open();
    await store.upsert([point('old', sparse(8, 9), { expiresAt: at(10) }), point('new', sparse(8, 9, 10), { expiresAt: at(100) })]);
    expect(keysOf(await store.search(sparse(8, 9), scope, { now: at(10) }))).toEqual(['new']);
    expect(await store.prune(at(10))).toBe(1);
    expect(store.size).toBe(1);
    await store.close();

    const again = await reopen();
    expect(keysOf(await again.search(sparse(8, 9), scope, { now: T0 }))).toEqual(['new']);
    await again.close();
  });

  it('holds at most maxEntries in memory, dropping the least recently written or returned, and reloads the latest to expire', async () => {
    const store = await open({ maxEntries: 3 });
    await store.upsert([point('e1', sparse(11), { expiresAt: at(1001) }), point('e2', sparse(12), { expiresAt: at(1002) }), point('e3', sparse(13), { expiresAt: at(1003) })]);
    // Returned by a search: e1 becomes the most recently used.
    expect(keysOf(await store.search(sparse(11), scope, { limit: 1, now: T0 }))).toEqual(['e1']);
    await store.upsert([point('e4', sparse(14), { expiresAt: at(1004) })]);
    expect(store.size).toBe(3);
    expect(keysOf(await store.search(sparse(12), scope, { limit: 5, now: T0 })).sort()).toEqual(['e1', 'e3', 'e4']);
    await store.close();

    const again = await reopen({ maxEntries: 2, loadChunk: 1 });
    expect(again.size).toBe(2);
    expect(keysOf(await again.search(sparse(14), scope, { limit: 5, now: T0 })).sort()).toEqual(['e3', 'e4']);
    await again.close();
  });

  it('keeps serving a point PGlite refused to write, and counts it as lost', async () => {
    const store = await open();
    const upsert = jest.spyOn(PgVectorStore.prototype, 'upsert').mockRejectedValueOnce(new Error('disk full'));
    await store.upsert([point('lost', sparse(18, 19))]);
    await store.prune(T0);
    upsert.mockRestore();
    expect(store.lostWrites).toBe(1);
    expect(keysOf(await store.search(sparse(18, 19), scope, { now: T0 }))).toEqual(['lost']);
    await store.close();
  });

  it('ranks like a brute-force search after many entries were replaced, sparse and dense mixed', async () => {
    const store = await open();
    const reference = new MemoryVectorStore('reference', DIMS);
    // A fixed pseudo-random sequence, so a failure can be replayed.
    let seed = 7;
    const next = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const vector = () => (next() < 0.2 ? dense(next() * 100) : sparse(...Array.from({ length: 2 + Math.floor(next() * 4) }, () => Math.floor(next() * DIMS))));
    for (let round = 0; round < 3; round += 1) {
      const points = Array.from({ length: 120 }, (_, i) => point(`r${i}`, vector()));
      await store.upsert(points);
      await reference.upsert(points);
    }
    for (let q = 0; q < 30; q += 1) {
      const v = vector();
      const got = await store.search(v, scope, { limit: 3, now: T0 });
      const want = await reference.search(v, scope, { limit: 3, now: T0 });
      expect(got.map((n) => n.similarity.toFixed(5))).toEqual(want.map((n) => n.similarity.toFixed(5)));
    }
    await store.close();
  });

  it("loads at the semantic cache's warm-up (the cache stage's start), before any look-up", async () => {
    const store = await open();
    await store.upsert([point('w1', sparse(20)), point('w2', sparse(21))]);
    await store.close();
    const again = new TieredVectorStore(new PgVectorStore(ds, `tiered-spec-${n}`, DIMS), DIMS);
    const cache = new SemanticCache({ embedder: new LocalEmbedder({ dimensions: DIMS }), store: again, verifier: null, defaultThreshold: 0.9, timeoutMs: 1000, pruneIntervalMs: 0 });
    cache.warmUp();
    await waitUntil(() => again.size === 2, 'the index to load');
    await cache.close();
  });

  it('sees its own writes made while the start-up load runs, and the entries loaded', async () => {
    const store = await open();
    await store.upsert([point('w', sparse(15, 16))]);
    await store.close();
    const again = new TieredVectorStore(new PgVectorStore(ds, `tiered-spec-${n}`, DIMS), DIMS);
    await again.ensureCollection();
    await again.upsert([point('x', sparse(15, 16, 17))]);
    expect(keysOf(await again.search(sparse(15, 16), scope, { now: T0 }))).toEqual(['w', 'x']);
    await again.whenLoaded();
    expect(keysOf(await again.search(sparse(15, 16), scope, { now: T0 }))).toEqual(['w', 'x']);
    await again.close();
  });
});
