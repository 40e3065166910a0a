import { randomBytes } from 'node:crypto';
import { BallastError, ERROR_CODES, type Completion } from '#contracts';
import type { PruneOptions } from '#persistence';
import type { CacheStore } from '../src/store/cache.store.js';

export type PrunableCacheStore = CacheStore & { prune(now?: Date, options?: PruneOptions): Promise<number> };

/** A store under test, and for shared stores a second replica and a restart over the same data. */
export interface CacheStoreSubject {
  store: PrunableCacheStore;
  /** Shared stores: another replica over the same database. */
  replica?(): Promise<CacheStore>;
  /** Shared stores: closes the store and what it runs on, opens it again over the same data and returns the new store. */
  restart?(): Promise<PrunableCacheStore>;
}

// Far from the wall clock, so entries other tests wrote with the real time never match these times.
const T0 = new Date('2031-03-01T12:00:00.000Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

export const newKey = (): string => randomBytes(32).toString('hex');

export function completion(content: string, extra: Partial<Completion> = {}): Completion {
  return {
    content,
    model: 'sim-1',
    provider: 'cache',
    finishReason: 'stop',
    usage: { inputTokens: 12, outputTokens: 34, cachedTokens: 12, costUsd: 0, estimated: false },
    ttftMs: null,
    durationMs: 0,
    ...extra,
  };
}

async function expectInternalError(promise: Promise<unknown>, message: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BallastError);
  expect((error as BallastError).code).toBe(ERROR_CODES.internal);
  expect((error as BallastError).message).toMatch(message);
}

/**
 * The behaviour every CacheStore must show. Runs against the in-memory LRU, the tiered store and
 * Postgres (PGlite and real), so none can drift; shared stores also run the replica and restart cases.
 */
/** `shared`: replicas over one database see each other's entries; `survivesRestart` (default: `shared`): entries outlive a restart. */
export function describeCacheStoreContract(name: string, factory: () => Promise<CacheStoreSubject>, options: { shared: boolean; survivesRestart?: boolean }): void {
  const { shared } = options;
  const survivesRestart = options.survivesRestart ?? shared;
  describe(`CacheStore contract: ${name}`, () => {
    let subject: CacheStoreSubject;
    let store: PrunableCacheStore;
    beforeAll(async () => {
      subject = await factory();
      store = subject.store;
    });

    it('returns nothing for a key never stored, and the answer once it is stored', async () => {
      const key = newKey();
      expect(await store.get(key, at(0))).toBeNull();
      await store.set(key, completion('Your parcel left the depot.'), 60, at(0));
      expect(await store.get(key, at(1))).toEqual(completion('Your parcel left the depot.'));
      expect(await store.get(newKey(), at(1))).toBeNull();
    });

    it('serves an entry until its TTL ends and never after', async () => {
      const key = newKey();
      await store.set(key, completion('fresh'), 60, { now: at(0) });
      expect((await store.get(key, at(59)))?.content).toBe('fresh');
      expect(await store.get(key, at(60))).toBeNull();
      expect(await store.get(key, at(3600))).toBeNull();
    });

    it('replaces an entry on set (a refresh), TTL included', async () => {
      const key = newKey();
      await store.set(key, completion('old answer'), 3600, at(0));
      expect((await store.get(key, at(1)))?.content).toBe('old answer');
      await store.set(key, completion('new answer'), 20, at(2));
      expect((await store.get(key, at(3)))?.content).toBe('new answer');
      expect(await store.get(key, at(22))).toBeNull();
    });

    it('leaves one entry, one of the answers written, when sets of a key race', async () => {
      const key = newKey();
      const answers = range(12).map((i) => `answer ${i}`);
      await Promise.all(answers.map((a) => store.set(key, completion(a), 60, at(0))));
      const got = await store.get(key, at(1));
      expect(answers).toContain(got?.content);
      if (subject.replica) expect((await (await subject.replica()).get(key, at(1)))?.content).toBe(got?.content);
    });

    it('keeps many entries written at once apart', async () => {
      const keys = range(200).map(() => newKey());
      await Promise.all(keys.map((key, i) => store.set(key, completion(`answer ${i}`), 60, at(0))));
      const got = await Promise.all(keys.map((key) => store.get(key, at(1))));
      expect(got.map((c) => c?.content)).toEqual(keys.map((_, i) => `answer ${i}`));
    });

    it('returns a large structured answer exactly as stored', async () => {
      const key = newKey();
      const content = `${'Große Pakete 📦 "quoted" \\ back\\slash\n\ttabbed — '.repeat(20_000)}end`;
      const parsed = {
        name: 'Ada Lovelace',
        email: 'ada@example.com',
        scores: [0.1 + 0.2, 1e-7, 123456789.123, -42, 2 ** 53 - 1],
        nested: { empty: {}, list: [null, true, false, 'x'], deep: { a: { b: { c: [1, [2, [3]]] } } } },
        unicode: 'ø 中文 🙂',
      };
      const big = completion(content, {
        parsed,
        model: 'gpt-4.1-mini',
        usage: { inputTokens: 123_456, outputTokens: 65_432, cachedTokens: 123_456, costUsd: 0.000123, estimated: true, priceTableVersion: '2026-11' },
        ttftMs: 12.5,
        durationMs: 3456.75,
      });
      await store.set(key, big, 60, at(0));
      const got = await store.get(key, at(1));
      expect(got?.content).toBe(content);
      expect(got?.parsed).toEqual(parsed);
      expect((got?.parsed as typeof parsed).scores[0]).toBe(0.1 + 0.2);
      expect(got?.usage).toEqual(big.usage);
      expect(got).toEqual(big);
    });

    it('prunes the entries expired at the given time, in chunks, and keeps the live ones', async () => {
      const expired = range(5).map(() => newKey());
      const live = range(2).map(() => newKey());
      await Promise.all(expired.map((key) => store.set(key, completion('old'), 10, at(0))));
      await Promise.all(live.map((key) => store.set(key, completion('live'), 10_000, at(0))));

      expect(await store.prune(at(100), { batchSize: 2 })).toBeGreaterThanOrEqual(expired.length);
      // Looked up as at a time they were still valid: a pruned entry is gone for good.
      expect(await Promise.all(expired.map((key) => store.get(key, at(1))))).toEqual(expired.map(() => null));
      expect((await Promise.all(live.map((key) => store.get(key, at(1))))).map((c) => c?.content)).toEqual(['live', 'live']);
      expect(await store.prune(at(100))).toBe(0);
      await expect(store.prune(new Date(Number.NaN))).rejects.toThrow(/must be a valid Date/);
    });

    it('refuses an empty key and a TTL that is not a positive number, with a stable code', async () => {
      await expectInternalError(store.set('', completion('x'), 60), /cache key must be 1-512 characters/);
      await expectInternalError(store.get('k'.repeat(513)), /cache key must be 1-512 characters/);
      await expectInternalError(store.set(newKey(), completion('x'), 0), /TTL must be a positive number/);
      await expectInternalError(store.set(newKey(), completion('x'), Number.NaN), /TTL must be a positive number/);
    });

    if (shared) describeReplicas();

    // Last: the stores before it are closed afterwards.
    if (survivesRestart) {
      it('keeps its entries, and their expiry, across a restart', async () => {
        const key = newKey();
        const big = completion('kept across a restart', { parsed: { answer: 42 } });
        await store.set(key, big, 60, at(0));
        store = await subject.restart!();
        expect(await store.get(key, at(1))).toEqual(big);
        expect(await store.get(key, at(60))).toBeNull();
      });
    }

    function describeReplicas(): void {
      it('lets a second replica over the same database see the entries and expiry the first wrote', async () => {
        const replica = await subject.replica!();
        const key = newKey();
        expect(await replica.get(key, at(0))).toBeNull();
        await store.set(key, completion('written by replica one'), 60, at(0));
        expect((await replica.get(key, at(1)))?.content).toBe('written by replica one');
        expect(await replica.get(key, at(60))).toBeNull();
        const other = newKey();
        await replica.set(other, completion('written by replica two'), 60, at(0));
        expect((await store.get(other, at(1)))?.content).toBe('written by replica two');
      });

      it('lets two replicas refresh the same keys at once, in opposite orders, and agree on the result', async () => {
        const replica = await subject.replica!();
        const keys = range(40).map(() => newKey());
        await Promise.all([
          ...keys.map((key) => store.set(key, completion('from one'), 60, at(0))),
          ...[...keys].reverse().map((key) => replica.set(key, completion('from two'), 60, at(0))),
        ]);
        const [seenByOne, seenByTwo] = await Promise.all([
          Promise.all(keys.map((key) => store.get(key, at(6)))),
          Promise.all(keys.map((key) => replica.get(key, at(6)))),
        ]);
        expect(seenByOne.every((c) => c?.content === 'from one' || c?.content === 'from two')).toBe(true);
        expect(seenByTwo.map((c) => c?.content)).toEqual(seenByOne.map((c) => c?.content));
      });
    }
  });
}
