import type { ProcessedMessageStore } from '#persistence';
import type { DataSource } from 'typeorm';
import { expectBallastError, uniqueName } from './contract-helpers.js';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** The store under test, and a way to make records that look old (the store always writes "now"). */
export interface ProcessedMessageStoreSubject {
  store: ProcessedMessageStore;
  /** Records each request, with the outcome `{ requestId }`, as if it had been recorded at `createdAt`. */
  recordAt(createdAt: Date, stage: string, requestIds: string[]): Promise<void>;
}

/** A subject for a store over `ds`: records through the store, then moves `created_at` back in SQL. */
export function sqlSubject(ds: DataSource, store: ProcessedMessageStore): ProcessedMessageStoreSubject {
  return {
    store,
    async recordAt(createdAt, stage, requestIds) {
      await Promise.all(requestIds.map((requestId) => store.record(stage, requestId, { requestId })));
      await ds.query('UPDATE processed_messages SET created_at = $1 WHERE stage = $2 AND request_id = ANY($3)', [createdAt, stage, requestIds]);
    },
  };
}

export function describeProcessedMessageStoreContract(
  name: string,
  factory: () => ProcessedMessageStoreSubject | Promise<ProcessedMessageStoreSubject>,
): void {
  describe(`ProcessedMessageStore contract: ${name}`, () => {
    let subject: ProcessedMessageStoreSubject;
    let store: ProcessedMessageStore;
    beforeAll(async () => {
      subject = await factory();
      store = subject.store;
    });

    it('keeps the first outcome for a stage and request and reports later ones as duplicates', async () => {
      const requestId = uniqueName('req');
      const first = await store.record('inference', requestId, { content: 'first' });
      const second = await store.record('inference', requestId, { content: 'second' });
      expect(first.stored).toBe(true);
      expect(second).toMatchObject({ stored: false, record: { outcome: { content: 'first' } } });
      expect((await store.find('inference', requestId))?.outcome).toEqual({ content: 'first' });
    });

    it('keys records by stage as well as request', async () => {
      const requestId = uniqueName('req');
      await store.record('guardrail', requestId, 'passed');
      expect((await store.record('cache', requestId, null)).stored).toBe(true);
      expect((await store.find('cache', requestId))?.outcome).toBeNull();
      expect(await store.find('judge', requestId)).toBeNull();
    });

    it('lets exactly one of several concurrent recorders win', async () => {
      const requestId = uniqueName('req');
      const results = await Promise.all([1, 2, 3].map((i) => store.record('inference', requestId, { i })));
      expect(results.filter((r) => r.stored)).toHaveLength(1);
      expect(new Set(results.map((r) => JSON.stringify(r.record.outcome))).size).toBe(1);
    });

    it('stores and finds many records made at once for different requests', async () => {
      const base = uniqueName('req');
      const requestIds = range(200).map((i) => `${base}-${i}`);
      const results = await Promise.all(requestIds.map((id, i) => store.record('inference', id, { i, text: `answer ${i}` })));
      expect(results.map((r) => [r.stored, r.record.requestId])).toEqual(requestIds.map((id) => [true, id]));
      const found = await Promise.all(requestIds.map((id) => store.find('inference', id)));
      expect(found.map((f) => f?.outcome)).toEqual(requestIds.map((_, i) => ({ i, text: `answer ${i}` })));
      expect(found.every((f) => f?.createdAt instanceof Date && Number.isFinite(f.createdAt.getTime()))).toBe(true);
    });

    it('lets exactly one recorder win per request when many race, and gives everyone its outcome', async () => {
      const base = uniqueName('req');
      const calls = range(20).flatMap((attempt) => range(10).map((r) => ({ requestId: `${base}-${r}`, attempt })));
      const results = await Promise.all(calls.map((c) => store.record('guardrail', c.requestId, { attempt: c.attempt })));
      for (const requestId of new Set(calls.map((c) => c.requestId))) {
        const mine = results.filter((_, k) => calls[k]!.requestId === requestId);
        expect(mine.filter((r) => r.stored)).toHaveLength(1);
        const winner = mine.find((r) => r.stored)!.record.outcome;
        expect(mine.map((r) => [r.record.requestId, r.record.outcome])).toEqual(mine.map(() => [requestId, winner]));
        expect((await store.find('guardrail', requestId))?.outcome).toEqual(winner);
      }
    });

    it('answers finds made while records are being written', async () => {
      const base = uniqueName('req');
      const earlier = range(50).map((i) => `${base}-earlier-${i}`);
      const fresh = range(50).map((i) => `${base}-fresh-${i}`);
      const never = range(50).map((i) => `${base}-never-${i}`);
      await Promise.all(earlier.map((id) => store.record('cache', id, { id })));

      const pending = range(50).map((i) => ({
        earlier: store.find('cache', earlier[i]!),
        recorded: store.record('cache', fresh[i]!, { id: fresh[i] }),
        fresh: store.find('cache', fresh[i]!),
        never: store.find('cache', never[i]!),
      }));
      for (const [i, p] of pending.entries()) {
        expect((await p.earlier)?.outcome).toEqual({ id: earlier[i] });
        expect((await p.recorded).stored).toBe(true);
        // Made together with the record, so either answer is right; a wrong outcome is not.
        const raced = await p.fresh;
        if (raced !== null) expect(raced.outcome).toEqual({ id: fresh[i] });
        expect(await p.never).toBeNull();
      }
      const after = await Promise.all(fresh.map((id) => store.find('cache', id)));
      expect(after.map((f) => f?.outcome)).toEqual(fresh.map((id) => ({ id })));
    });

    it('copes with more calls at once than one batch holds', async () => {
      const base = uniqueName('req');
      // 1,200 records of 1,000 requests: the last 200 repeat the first 200.
      const requestIds = range(1200).map((i) => `${base}-${i % 1000}`);
      const results = await Promise.all(requestIds.map((id, i) => store.record('ingress', id, { first: i < 1000 })));
      expect(results.filter((r) => r.stored)).toHaveLength(1000);
      expect(results.every((r) => (r.record.outcome as { first: boolean }).first)).toBe(true);
      const found = await Promise.all(requestIds.map((id) => store.find('ingress', id)));
      expect(found.map((f) => f?.requestId)).toEqual(requestIds);
    });

    it('returns any JSON outcome exactly as recorded', async () => {
      const outcomes: unknown[] = [
        { nested: { list: [1, 'two', null, true, { deep: -1.5e-7 }] }, empty: {}, none: [] },
        'a plain string',
        42,
        0,
        false,
        ['x', { y: 'z' }],
        'emoji 🚀, ünïcödé, a backslash \\ and the text \\u0000',
        { 'key with "quotes"': 'line\nbreak\ttab' },
        null,
      ];
      const base = uniqueName('req');
      const recorded = await Promise.all(outcomes.map((o, i) => store.record('judge', `${base}-${i}`, o)));
      const again = await Promise.all(outcomes.map((_, i) => store.record('judge', `${base}-${i}`, 'later')));
      const found = await Promise.all(outcomes.map((_, i) => store.find('judge', `${base}-${i}`)));
      expect(recorded.map((r) => r.record.outcome)).toEqual(outcomes);
      expect(again.map((r) => r.record.outcome)).toEqual(outcomes);
      expect(found.map((f) => f?.outcome)).toEqual(outcomes);
      expect((await store.record('judge', `${base}-undefined`, undefined)).record.outcome).toBeNull();
      expect((await store.find('judge', `${base}-undefined`))?.outcome).toBeNull();
    });

    it('refuses what Postgres cannot store without failing the calls made with it', async () => {
      const base = uniqueName('req');
      const others = range(20).map((i) => store.record('inference', `${base}-${i}`, { i }));
      const refused = [
        store.record('inference', `${base}-nul`, { content: 'cut off\u0000' }),
        store.record('inference', `${base}-surrogate`, { content: 'half \ud83d' }),
        store.record('inference', `${base}-key\u0000`, 'ok'),
        store.find('inference', `${base}-key\u0000`),
      ].map((p) => expectBallastError(p, 'ballast.internal', /NUL character/));
      await Promise.all(refused);
      expect((await Promise.all(others)).every((r) => r.stored)).toBe(true);
      expect(await store.find('inference', `${base}-nul`)).toBeNull();
      expect((await store.record('inference', `${base}-nul`, { content: 'cut off' })).stored).toBe(true);
    });

    it('releases a record so the pair can be recorded again, and says whether there was one', async () => {
      const requestId = uniqueName('req');
      await store.record('ingress', requestId, { hash: 'first' });
      await store.record('inference', requestId, 'kept');

      expect(await store.release('ingress', requestId)).toBe(true);
      expect(await store.find('ingress', requestId)).toBeNull();
      expect(await store.release('ingress', requestId)).toBe(false);
      expect(await store.record('ingress', requestId, { hash: 'again' })).toMatchObject({ stored: true, record: { outcome: { hash: 'again' } } });
      // Only the pair released: the same request's record at another stage stays.
      expect((await store.find('inference', requestId))?.outcome).toBe('kept');
      await expectBallastError(store.release('ingress', `${requestId}\u0000`), 'ballast.internal', /NUL character/);
    });

    describe('prune', () => {
      // Backdated records are all from 1999, long before any real one.
      const day = (n: number): Date => new Date(Date.UTC(1999, 0, n));
      beforeEach(async () => {
        // A shared database may hold backdated records an interrupted earlier run left behind.
        await store.prune(day(365));
      });

      it('deletes the records older than the cut-off, keeps the others, and says how many it deleted', async () => {
        const base = uniqueName('req');
        const old = range(3).map((i) => `${base}-old-${i}`);
        const younger = range(2).map((i) => `${base}-younger-${i}`);
        await subject.recordAt(day(1), 'inference', old);
        await subject.recordAt(day(10), 'inference', [`${base}-at-cut-off`]);
        await subject.recordAt(day(20), 'inference', younger);
        await store.record('inference', `${base}-today`, 'today');

        expect(await store.prune(day(10))).toBe(3);

        expect(await Promise.all(old.map((id) => store.find('inference', id)))).toEqual([null, null, null]);
        const kept = await Promise.all([`${base}-at-cut-off`, ...younger].map((id) => store.find('inference', id)));
        expect(kept.map((r) => [r?.requestId, r?.createdAt.toISOString()])).toEqual([
          [`${base}-at-cut-off`, day(10).toISOString()],
          [younger[0], day(20).toISOString()],
          [younger[1], day(20).toISOString()],
        ]);
        expect((await store.find('inference', `${base}-today`))?.outcome).toBe('today');
      });

      it('handles a request whose record was pruned as new', async () => {
        const requestId = uniqueName('req');
        await subject.recordAt(day(1), 'guardrail', [requestId]);
        expect(await store.prune(day(2))).toBe(1);

        expect(await store.record('guardrail', requestId, 'again')).toMatchObject({ stored: true, record: { outcome: 'again' } });
        expect((await store.find('guardrail', requestId))?.outcome).toBe('again');
      });

      it('returns 0 and deletes nothing when no record is older than the cut-off', async () => {
        expect(await store.prune(day(1))).toBe(0);
        const base = uniqueName('req');
        const requestIds = range(3).map((i) => `${base}-${i}`);
        await subject.recordAt(day(5), 'cache', requestIds);

        expect(await store.prune(day(5))).toBe(0);
        const found = await Promise.all(requestIds.map((id) => store.find('cache', id)));
        expect(found.map((f) => f?.outcome)).toEqual(requestIds.map((requestId) => ({ requestId })));
      });

      it('deletes every old record when there are more than one chunk holds', async () => {
        const base = uniqueName('req');
        const requestIds = range(25).map((i) => `${base}-${i}`);
        await subject.recordAt(day(1), 'ingress', requestIds);

        expect(await store.prune(day(2), { batchSize: 7 })).toBe(25);
        expect((await Promise.all(requestIds.map((id) => store.find('ingress', id)))).every((f) => f === null)).toBe(true);
        expect(await store.prune(day(2), { batchSize: 7 })).toBe(0);
      });

      it('prunes while records and finds are being made, without disturbing them', async () => {
        const base = uniqueName('req');
        const old = range(30).map((i) => `${base}-old-${i}`);
        const fresh = range(100).map((i) => `${base}-fresh-${i}`);
        await subject.recordAt(day(1), 'judge', old);

        const [pruned, recorded] = await Promise.all([
          store.prune(day(2), { batchSize: 7 }),
          Promise.all(fresh.map((id) => store.record('judge', id, { id }))),
        ]);
        expect(pruned).toBe(30);
        expect(recorded.every((r) => r.stored)).toBe(true);
        const found = await Promise.all(fresh.map((id) => store.find('judge', id)));
        expect(found.map((f) => f?.outcome)).toEqual(fresh.map((id) => ({ id })));
      });

      it('refuses a cut-off that is not a date and a chunk size that is not a positive integer', async () => {
        await expect(store.prune(new Date(Number.NaN))).rejects.toThrow(/olderThan must be a valid Date/);
        await expect(store.prune(day(1), { batchSize: 0 })).rejects.toThrow(/batchSize must be a positive integer/);
      });
    });
  });
}
