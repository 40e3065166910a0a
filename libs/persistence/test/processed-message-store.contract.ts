import type { ProcessedMessageStore } from '#persistence';
import { expectBallastError, uniqueName } from './contract-helpers.js';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

export function describeProcessedMessageStoreContract(
  name: string,
  factory: () => ProcessedMessageStore | Promise<ProcessedMessageStore>,
): void {
  describe(`ProcessedMessageStore contract: ${name}`, () => {
    let store: ProcessedMessageStore;
    beforeAll(async () => {
      store = await factory();
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
  });
}
