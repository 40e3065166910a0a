import { mkdtemp, rm } from 'node:fs/promises';
import { jest } from '@jest/globals';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  openDataSource,
  runMigrations,
  startEmbeddedPostgres,
  TypeormEvalRunRepository,
  TypeormAlertStateRepository,
  TypeormMetricsHistoryRepository,
  TypeormProcessedMessageStore,
  WriteBehindProcessedMessageStore,
  TypeormPromptRegistryRepository,
  TypeormTenantRepository,
  type EmbeddedPostgres,
} from '#persistence';
import type { DataSource } from 'typeorm';
import { uniqueName } from './contract-helpers.js';
import { describeDataSourceContract } from './data-source.contract.js';
import { describeEvalRunRepositoryContract } from './eval-run-repository.contract.js';
import { describeAlertStateRepositoryContract } from './alert-state-repository.contract.js';
import { describeMetricsHistoryRepositoryContract } from './metrics-history-repository.contract.js';
import { describeProcessedMessageStoreContract, sqlSubject } from './processed-message-store.contract.js';
import { describePromptRegistryContract } from './prompt-registry.contract.js';
import { describeTenantRepositoryContract } from './tenant-repository.contract.js';

let pg: EmbeddedPostgres;
let ds: DataSource;

beforeAll(async () => {
  pg = await startEmbeddedPostgres();
  ds = await openDataSource({ url: pg.url, poolSize: pg.maxConnections });
}, 60_000);

afterAll(async () => {
  await ds?.destroy();
  await pg?.stop();
});

describePromptRegistryContract('TypeORM on PGlite', () => new TypeormPromptRegistryRepository(ds), () => ds);
describeTenantRepositoryContract('TypeORM on PGlite', () => ({
  tenants: new TypeormTenantRepository(ds),
  storedKeyValues: async () => {
    const rows: { key_hash: string; prefix: string }[] = await ds.query('SELECT key_hash, prefix FROM api_keys');
    return rows.flatMap((r) => [r.key_hash, r.prefix]);
  },
}));
describeProcessedMessageStoreContract('TypeORM on PGlite', () => sqlSubject(ds, new TypeormProcessedMessageStore(ds)));
describeProcessedMessageStoreContract(
  'TypeORM on PGlite, one batch of at most 7 calls in flight',
  () => sqlSubject(ds, new TypeormProcessedMessageStore(ds, { maxInFlight: 1, maxBatchSize: 7 })),
);
describeProcessedMessageStoreContract('write-behind (memory first, then PGlite)', async () => {
  let recordingAt: Date | null = null;
  const store = await WriteBehindProcessedMessageStore.open(ds, { since: new Date(0), now: () => recordingAt ?? new Date() });
  return {
    store,
    async recordAt(createdAt, stage, requestIds) {
      recordingAt = createdAt;
      try {
        await Promise.all(requestIds.map((requestId) => store.record(stage, requestId, { requestId })));
      } finally {
        recordingAt = null;
      }
      await store.flush();
      await ds.query('UPDATE processed_messages SET created_at = $1 WHERE stage = $2 AND request_id = ANY($3)', [createdAt, stage, requestIds]);
    },
  };
});

describe('WriteBehindProcessedMessageStore', () => {
  it('keeps only maxEntries records in memory, and still finds (and refuses to record twice) those that left it, also after a reopen', async () => {
    const store = await WriteBehindProcessedMessageStore.open(ds, { since: new Date(0), maxEntries: 10, durableStages: ['outcome'] });
    const prefix = `wb-bound-${Date.now()}`;
    for (let i = 0; i < 50; i++) await store.record('outcome', `${prefix}-${i}`, { n: i });
    for (let i = 0; i < 50; i++) await store.record('inference', `${prefix}-${i}`, { n: i });
    expect((await store.find('outcome', `${prefix}-0`))?.outcome).toEqual({ n: 0 });
    expect((await store.record('outcome', `${prefix}-3`, { n: 'again' })).record.outcome).toEqual({ n: 3 });
    expect((await store.record('outcome', `${prefix}-4`, { n: 'again' })).stored).toBe(false);
    expect(await store.find('outcome', `${prefix}-never`)).toBeNull();
    // A stage that is not durable lives in memory only: what left memory is forgotten, as before.
    expect(await store.find('inference', `${prefix}-0`)).toBeNull();
    expect((await store.find('inference', `${prefix}-49`))?.outcome).toEqual({ n: 49 });

    await store.flush();
    const reopened = await WriteBehindProcessedMessageStore.open(ds, { since: new Date(Date.now() - 60_000), maxEntries: 10, durableStages: ['outcome'] });
    expect((await reopened.find('outcome', `${prefix}-1`))?.outcome).toEqual({ n: 1 });
    expect((await reopened.record('outcome', `${prefix}-2`, { n: 'again' })).stored).toBe(false);
    expect((await reopened.find('outcome', `${prefix}-49`))?.outcome).toEqual({ n: 49 });
  });

  it('answers from memory, writes every record behind to PGlite, and a store opened later reloads them', async () => {
    const first = await WriteBehindProcessedMessageStore.open(ds, { since: new Date(0) });
    const requestId = `wb-${Date.now()}`;
    await first.record('outcome', requestId, { content: 'kept' });
    await first.flush();
    const rows: Array<{ outcome: unknown }> = await ds.query('SELECT outcome FROM processed_messages WHERE stage = $1 AND request_id = $2', ['outcome', requestId]);
    expect(rows).toEqual([{ outcome: { content: 'kept' } }]);
    const reopened = await WriteBehindProcessedMessageStore.open(ds, { since: new Date(Date.now() - 60_000) });
    expect((await reopened.find('outcome', requestId))?.outcome).toEqual({ content: 'kept' });
    expect((await reopened.record('outcome', requestId, { content: 'again' })).stored).toBe(false);
  });

  it('writes every record of a burst behind in multi-row statements, a lone surrogate in a key included', async () => {
    const store = await WriteBehindProcessedMessageStore.open(ds, { since: new Date(0), batchDelayMs: 10_000 });
    const prefix = `wb-burst-${Date.now()}`;
    const ids = Array.from({ length: 2_500 }, (_, i) => `${prefix}-${i}`);
    await Promise.all(ids.map((id, i) => store.record('outcome', id, { n: i, text: 'quote " and backslash \\ kept' })));
    const odd = `${prefix}-\ud800`;
    await store.record('outcome', odd, null);
    // Past one full statement's rows (1,000), inserts went out without waiting for the delay.
    for (let i = 0; i < 250 && store.pending >= 1_000; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(store.pending).toBe(501); // 2,501 made: two full statements sent, the rest gathering
    await store.flush();
    expect(store.pending).toBe(0);
    const rows: Array<{ request_id: string; outcome: { n: number; text: string } | null }> = await ds.query(
      'SELECT request_id, outcome FROM processed_messages WHERE stage = $1 AND request_id LIKE $2 ORDER BY request_id',
      ['outcome', `${prefix}-%`],
    );
    expect(rows).toHaveLength(2_501);
    expect(rows.find((r) => r.request_id === `${prefix}-7`)?.outcome).toEqual({ n: 7, text: 'quote " and backslash \\ kept' });
    expect(rows.find((r) => r.request_id === `${prefix}-\ufffd`)?.outcome).toBeNull();
  });

  it('a record made alone reaches PGlite after the batch delay, without a flush', async () => {
    const store = await WriteBehindProcessedMessageStore.open(ds, { since: new Date(0), batchDelayMs: 20 });
    const requestId = `wb-alone-${Date.now()}`;
    await store.record('ingress', requestId, { acceptedAt: 'now' });
    expect(store.pending).toBe(1);
    let rows: unknown[] = [];
    for (let i = 0; i < 100 && rows.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      rows = await ds.query('SELECT outcome FROM processed_messages WHERE stage = $1 AND request_id = $2', ['ingress', requestId]);
    }
    expect(rows).toEqual([{ outcome: { acceptedAt: 'now' } }]);
    expect(store.pending).toBe(0);
  });

  it('does not reload records older than its cut-off', async () => {
    const store = await WriteBehindProcessedMessageStore.open(ds, { since: new Date(0) });
    const requestId = `wb-old-${Date.now()}`;
    await store.record('outcome', requestId, 'old');
    await store.flush();
    await ds.query('UPDATE processed_messages SET created_at = $1 WHERE request_id = $2', [new Date(Date.now() - 3_600_000), requestId]);
    const reopened = await WriteBehindProcessedMessageStore.open(ds, { since: new Date(Date.now() - 60_000) });
    expect(await reopened.find('outcome', requestId)).toBeNull();
  });
});
describeDataSourceContract('PGlite', () => ds, true);
describeEvalRunRepositoryContract('TypeORM on PGlite', () => new TypeormEvalRunRepository(ds));
describeMetricsHistoryRepositoryContract('TypeORM on PGlite', () => new TypeormMetricsHistoryRepository(ds));
describeAlertStateRepositoryContract('TypeORM on PGlite', () => new TypeormAlertStateRepository(ds));

describe('TypeormProcessedMessageStore batching', () => {
  const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

  it('sends the calls made while a batch is out together, at most maxBatchSize per statement', async () => {
    const store = new TypeormProcessedMessageStore(ds, { maxInFlight: 1, maxBatchSize: 10 });
    const query = jest.spyOn(ds, 'query');
    try {
      const base = uniqueName('req');
      const results = await Promise.all(range(31).map((i) => store.record('batch', `${base}-${i}`, { i })));
      expect(results.every((r) => r.stored)).toBe(true);
      // The first call goes out alone at once; the 30 made meanwhile go as three batches of ten.
      expect(query).toHaveBeenCalledTimes(4);
    } finally {
      query.mockRestore();
    }
  });

  it('rejects every call of a failing batch with its error, and answers the calls after it', async () => {
    const store = new TypeormProcessedMessageStore(ds, { maxInFlight: 1 });
    const base = uniqueName('req');
    const failure = new Error('connection terminated');
    const realQuery = ds.query.bind(ds);
    const query = jest.spyOn(ds, 'query').mockImplementationOnce(realQuery).mockRejectedValueOnce(failure);
    try {
      const first = store.record('batch', `${base}-first`, 'kept');
      const failing = [
        store.record('batch', `${base}-a`, 'lost'),
        store.record('batch', `${base}-a`, 'lost too'),
        store.record('batch', `${base}-first`, 'late'),
        store.find('batch', `${base}-first`),
      ].map((p) => p.then(() => 'answered', (e: unknown) => e));
      expect((await first).stored).toBe(true);
      expect(await Promise.all(failing)).toEqual(failing.map(() => failure));

      expect(await store.record('batch', `${base}-a`, 'after')).toMatchObject({ stored: true, record: { outcome: 'after' } });
      expect((await store.find('batch', `${base}-first`))?.outcome).toBe('kept');
    } finally {
      query.mockRestore();
    }
  });

  it('rejects bad options', () => {
    expect(() => new TypeormProcessedMessageStore(ds, { maxInFlight: 0 })).toThrow(/maxInFlight must be a positive integer/);
    expect(() => new TypeormProcessedMessageStore(ds, { maxBatchSize: 1.5 })).toThrow(/maxBatchSize must be a positive integer/);
  });
});

describe('TypeormProcessedMessageStore prune', () => {
  // Older than anything the contract suites write, so the counts here are exact.
  const old = new Date('1998-01-01T00:00:00Z');
  const cutOff = new Date('1998-06-01T00:00:00Z');
  const backdated = async (store: TypeormProcessedMessageStore, n: number): Promise<void> => {
    const base = uniqueName('req');
    await sqlSubject(ds, store).recordAt(old, 'prune', Array.from({ length: n }, (_, i) => `${base}-${i}`));
  };

  it('deletes one chunk of at most batchSize rows per statement until a chunk comes back short', async () => {
    const store = new TypeormProcessedMessageStore(ds);
    await backdated(store, 20);
    const query = jest.spyOn(ds, 'query');
    try {
      expect(await store.prune(cutOff, { batchSize: 8 })).toBe(20);
      // 8 + 8 + 4.
      expect(query).toHaveBeenCalledTimes(3);
    } finally {
      query.mockRestore();
    }
  });

  it('stops between chunks once its signal is aborted', async () => {
    const store = new TypeormProcessedMessageStore(ds);
    await backdated(store, 20);
    const controller = new AbortController();
    const realQuery = ds.query.bind(ds);
    const query = jest.spyOn(ds, 'query').mockImplementation(async (...args: Parameters<DataSource['query']>) => {
      const result: unknown = await realQuery(...args);
      controller.abort();
      return result;
    });
    try {
      expect(await store.prune(cutOff, { batchSize: 8, signal: controller.signal })).toBe(8);
    } finally {
      query.mockRestore();
    }
    expect(await store.prune(cutOff, { batchSize: 8 })).toBe(12);
  });
});

describe('embedded Postgres with a data folder', () => {
  it('keeps published prompts across a restart', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'ballast-pg-'));
    try {
      const first = await startEmbeddedPostgres({ dataDir });
      const ds1 = await openDataSource({ url: first.url, poolSize: first.maxConnections });
      await new TypeormPromptRegistryRepository(ds1).publish({
        name: 'kept',
        model: 'sim-1',
        template: { messages: [{ role: 'user', content: '{{q}}' }] },
      });
      await ds1.destroy();
      await first.stop();

      const second = await startEmbeddedPostgres({ dataDir });
      const ds2 = await openDataSource({ url: second.url, poolSize: second.maxConnections });
      try {
        expect(await runMigrations(ds2)).toEqual([]);
        expect((await new TypeormPromptRegistryRepository(ds2).resolve('kept', { version: 1 }))?.model).toBe('sim-1');
      } finally {
        await ds2.destroy();
        await second.stop();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
