import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { BallastError, createEnvelope, ERROR_CODES, LlmResponse, TOPICS } from '#contracts';
import { openDataSource, startEmbeddedPostgres, type EmbeddedPostgres } from '#persistence';
import type { DataSource } from 'typeorm';
import type { CacheDeps } from '../src/cache.tokens.js';
import { PostgresCacheStore, type PostgresCacheStoreOptions } from '../src/store/postgres.cache-store.js';
import { StoreAnswerUseCase } from '../src/store/store-answer.usecase.js';
import { TieredCacheStore } from '../src/store/tiered.cache-store.js';
import { completion, describeCacheStoreContract, newKey, type CacheStoreSubject } from './cache-store.contract.js';

/** One PGlite database on disk, reached by two data sources as two cache replicas would; restartable. */
const db = {
  dir: '',
  pg: undefined as EmbeddedPostgres | undefined,
  ds: undefined as unknown as DataSource,
  replicaDs: undefined as unknown as DataSource,
  async open() {
    this.pg = await startEmbeddedPostgres({ dataDir: this.dir, maxConnections: 2 });
    this.ds = await openDataSource({ url: this.pg.url, poolSize: 1 });
    this.replicaDs = await openDataSource({ url: this.pg.url, poolSize: 1 });
  },
  async close() {
    await this.ds?.destroy();
    await this.replicaDs?.destroy();
    await this.pg?.stop();
  },
};

beforeAll(async () => {
  db.dir = await mkdtemp(join(tmpdir(), 'ballast-cache-'));
  await db.open();
}, 60_000);

afterAll(async () => {
  await db.close();
  await rm(db.dir, { recursive: true, force: true });
});

/** Stores over the two data sources; a restart closes them, restarts PGlite on the same files and opens a new one. */
function pgliteSubject(wrap: (shared: PostgresCacheStore) => CacheStoreSubject['store'], options?: PostgresCacheStoreOptions) {
  return async (): Promise<CacheStoreSubject> => {
    let opened: PostgresCacheStore[] = [];
    const open = (ds: DataSource) => {
      const shared = new PostgresCacheStore(ds, options);
      opened.push(shared);
      return wrap(shared);
    };
    return {
      store: open(db.ds),
      replica: async () => open(db.replicaDs),
      restart: async () => {
        await Promise.all(opened.map((s) => s.close()));
        opened = [];
        await db.close();
        await db.open();
        return open(db.ds);
      },
    };
  };
}

describeCacheStoreContract('PostgresCacheStore on PGlite', pgliteSubject((shared) => shared), { shared: true });
describeCacheStoreContract(
  'PostgresCacheStore on PGlite, one batch of at most 7 calls in flight',
  pgliteSubject((shared) => shared, { maxInFlight: 1, maxBatchSize: 7 }),
  { shared: true },
);
describeCacheStoreContract(
  'TieredCacheStore over PostgresCacheStore on PGlite',
  pgliteSubject((shared) => new TieredCacheStore(shared, { lruTtlSeconds: 5 })),
  { shared: true },
);

describeCacheStoreContract(
  'TieredCacheStore, sole owner of PostgresCacheStore on PGlite (embedded mode)',
  async () => {
    // One process owns the database: no replicas, but a restart reloads what was written behind.
    const { store, restart } = await pgliteSubject((shared) => new TieredCacheStore(shared, { soleOwner: true }))();
    return { store, restart };
  },
  { shared: false, survivesRestart: true },
);

describe('PostgresCacheStore on PGlite', () => {
  const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

  it('sends the calls made while a batch is out together, at most maxBatchSize per statement', async () => {
    const store = new PostgresCacheStore(db.ds, { maxInFlight: 1, maxBatchSize: 10 });
    const keys = range(31).map(() => newKey());
    const query = jest.spyOn(db.ds, 'query');
    try {
      await Promise.all(keys.map((key, i) => store.set(key, completion(`answer ${i}`), 60)));
      // The first call goes out alone at once; the 30 made meanwhile go as three batches of ten.
      expect(query).toHaveBeenCalledTimes(4);
    } finally {
      query.mockRestore();
    }
    expect((await Promise.all(keys.map((key) => store.get(key)))).map((c) => c?.content)).toEqual(keys.map((_, i) => `answer ${i}`));
  });

  it('answers each get in a batch with the sets made before it, and keeps the last set', async () => {
    const store = new PostgresCacheStore(db.ds, { maxInFlight: 1 });
    const key = newKey();
    await store.set(key, completion('stored before'), 60);
    const first = store.get(newKey()); // goes out alone; the calls below wait and go as one batch
    const calls = [
      store.get(key),
      store.set(key, completion('set one'), 60),
      store.get(key),
      store.set(key, completion('set two'), 60),
      store.get(key),
    ];
    await first;
    const [before, , afterOne, , afterTwo] = await Promise.all(calls);
    expect([before, afterOne, afterTwo].map((c) => (c as { content: string } | null)?.content)).toEqual(['stored before', 'set one', 'set two']);
    expect((await store.get(key))?.content).toBe('set two');
  });

  it('refuses an answer or scope Postgres cannot store with a stable code, and stores the calls made with it', async () => {
    const store = new PostgresCacheStore(db.ds, { maxInFlight: 1 });
    const [good, nul, surrogate, badScope] = [newKey(), newKey(), newKey(), newKey()];
    const scope = { tenantId: 'acme\0', promptName: null, promptVersion: null, model: null };
    const results = await Promise.allSettled([
      store.set(good, completion('fine'), 60),
      store.set(nul, completion('a\u0000b'), 60),
      store.set(surrogate, completion('half an emoji \ud83d'), 60),
      store.set(badScope, completion('fine'), 60, { scope }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'rejected']);
    for (const r of results.slice(1)) {
      const error = (r as PromiseRejectedResult).reason as BallastError;
      expect(error).toBeInstanceOf(BallastError);
      expect(error.code).toBe(ERROR_CODES.internal);
      expect(error.message).toMatch(/NUL character or an unpaired UTF-16 surrogate.*not cached/);
    }
    expect((await store.get(good))?.content).toBe('fine');
    expect(await store.get(nul)).toBeNull();
  });

  it('rejects every call of a failing batch with its error, and answers the calls after it', async () => {
    const store = new PostgresCacheStore(db.ds, { maxInFlight: 1 });
    const [a, b] = [newKey(), newKey()];
    const failure = new Error('connection terminated');
    const realQuery = db.ds.query.bind(db.ds);
    const query = jest.spyOn(db.ds, 'query').mockImplementationOnce(realQuery).mockRejectedValueOnce(failure);
    try {
      const first = store.get(newKey()); // goes out alone; the two calls below go as the failing batch
      const failing = Promise.allSettled([store.set(a, completion('lost'), 60), store.get(b)]);
      expect(await first).toBeNull();
      expect((await failing).map((r) => (r as PromiseRejectedResult).reason)).toEqual([failure, failure]);
    } finally {
      query.mockRestore();
    }
    await store.set(a, completion('kept'), 60);
    expect((await store.get(a))?.content).toBe('kept');
  });

  it('waits for the calls already made when closed, and refuses new ones', async () => {
    const store = new PostgresCacheStore(db.ds);
    const key = newKey();
    const writing = store.set(key, completion('written during shutdown'), 60);
    await store.close();
    await writing;
    await expect(store.get(key)).rejects.toThrow(/cache store is closed/);
    expect((await new PostgresCacheStore(db.ds).get(key))?.content).toBe('written during shutdown');
  });

  it('stores the answer StoreAnswerUseCase passes with its tenant, prompt and model, and a refresh replaces them', async () => {
    const store = new PostgresCacheStore(db.ds);
    const useCase = new StoreAnswerUseCase({ store, defaultTtlSeconds: 3600 } as unknown as CacheDeps);
    const key = newKey();
    const response = (version: number, content: string) =>
      LlmResponse.parse({
        requestId: `r-${version}`,
        tenantId: 'acme',
        status: 'completed',
        content,
        source: 'inference',
        cache: 'miss',
        verdicts: [],
        usage: { inputTokens: 10, outputTokens: 5, costUsd: 0.002 },
        timings: { stages: [], queueMs: 0, ttftMs: 5, totalMs: 20 },
        prompt: { name: 'support-answer', version },
        model: 'sim-1',
        error: null,
        cacheStore: { key, ttlSeconds: 600 },
        judge: { mode: 'default', sampleRate: 0 },
        completedAt: new Date().toISOString(),
      });
    const scopeOf = async () =>
      (await db.ds.query('SELECT tenant_id, prompt_name, prompt_version, model, expires_at - created_at AS ttl FROM cache_entries WHERE key = $1', [key]))[0];

    await useCase.execute(createEnvelope(TOPICS.responses, response(3, 'first'), { requestId: 'r-3', tenantId: 'acme' }));
    expect(await scopeOf()).toMatchObject({ tenant_id: 'acme', prompt_name: 'support-answer', prompt_version: 3, model: 'sim-1' });
    expect(await store.get(key)).toMatchObject({ content: 'first', provider: 'cache', usage: { inputTokens: 10, costUsd: 0, cachedTokens: 10 } });

    await useCase.execute(createEnvelope(TOPICS.responses, response(4, 'second'), { requestId: 'r-4', tenantId: 'acme' }));
    expect(await scopeOf()).toMatchObject({ prompt_version: 4 });
    expect((await store.get(key))?.content).toBe('second');
  });
});
