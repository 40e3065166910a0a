import { randomBytes } from 'node:crypto';
import { BallastError, ERROR_CODES, type Completion } from '#contracts';
import { normalize } from '../src/semantic/embedder.js';
import type { VectorPoint, VectorScope, VectorStore } from '../src/semantic/vector.store.js';

export const CONTRACT_MODEL = 'contract-model';
export const CONTRACT_DIMENSIONS = 8;

// Far from the wall clock, so entries other runs wrote never match these times.
const T0 = new Date('2031-03-01T12:00:00.000Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);

/** A unit vector along axis `i`, tilted towards axis `j` by `tilt`. */
function vec(i: number, j = (i + 1) % CONTRACT_DIMENSIONS, tilt = 0): Float32Array {
  const v = new Float32Array(CONTRACT_DIMENSIONS);
  v[i] = 1;
  v[j]! += tilt;
  return normalize(v);
}

function answer(content: string): Completion {
  return {
    content,
    model: 'sim-1',
    provider: 'cache',
    finishReason: 'stop',
    usage: { inputTokens: 3, outputTokens: 4, cachedTokens: 3, costUsd: 0, estimated: false },
    ttftMs: null,
    durationMs: 0,
  };
}

/**
 * The behaviour every VectorStore must show. Runs against the in-memory store and pgvector on
 * PGlite in `npm test`, and against a real Qdrant in `npm run test:infra`. Each test uses its own
 * tenant, so runs against a server that keeps its data do not see each other.
 */
export function describeVectorStoreContract(name: string, factory: () => Promise<VectorStore>, teardown: () => Promise<void> = async () => {}): void {
  describe(`VectorStore contract: ${name}`, () => {
    let store: VectorStore;
    let scope: VectorScope;
    const point = (key: string, vector: Float32Array, content: string, overrides: Partial<VectorPoint> = {}): VectorPoint => ({
      key,
      vector,
      scope,
      text: `question ${content}`,
      completion: answer(content),
      expiresAt: at(3600),
      ...overrides,
    });
    const search = (vector: Float32Array, s: VectorScope = scope, limit = 5) => store.search(vector, s, { limit, now: T0 });

    beforeAll(async () => {
      store = await factory();
      await store.ensureCollection();
      await store.ensureCollection();
    }, 60_000);
    afterAll(() => teardown());
    beforeEach(() => {
      scope = { tenantId: `t-${randomBytes(6).toString('hex')}`, promptName: 'support-answer', promptVersion: 3, model: 'sim-1', paramsHash: 'p1' };
    });

    it('returns the neighbours within the scope, most similar first, with their answer and question', async () => {
      await store.upsert([point('a', vec(0), 'exact'), point('b', vec(0, 1, 0.5), 'near'), point('c', vec(3), 'far')]);
      const found = await search(vec(0), scope, 2);
      expect(found.map((n) => n.key)).toEqual(['a', 'b']);
      expect(found[0]!.similarity).toBeCloseTo(1, 4);
      expect(found[1]!.similarity).toBeCloseTo(1 / Math.sqrt(1.25), 3);
      expect(found[0]!).toMatchObject({ text: 'question exact', completion: answer('exact'), expiresAt: at(3600) });
    });

    it.each([
      ['another tenant', { tenantId: 'someone-else' }],
      ['another prompt', { promptName: 'other-prompt' }],
      ['another prompt version', { promptVersion: 4 }],
      ['no prompt', { promptName: null, promptVersion: null }],
      ['another model', { model: 'sim-2' }],
      ['other answer-changing parameters', { paramsHash: 'p2' }],
    ])('never returns an entry to %s, however similar', async (_, change) => {
      await store.upsert([point('k', vec(1), 'mine')]);
      expect(await search(vec(1), { ...scope, ...change })).toEqual([]);
      expect((await search(vec(1))).map((n) => n.key)).toEqual(['k']);
    });

    it('refuses a search or a write without a tenant', async () => {
      const noTenant = { ...scope, tenantId: '' };
      await expect(search(vec(0), noTenant)).rejects.toThrow(/needs a tenant/);
      await expect(store.upsert([point('x', vec(0), 'x', { scope: noTenant })])).rejects.toThrow(/needs a tenant/);
    });

    it('does not return an expired entry, and prune deletes it', async () => {
      await store.upsert([point('old', vec(2), 'old', { expiresAt: at(10) }), point('new', vec(2, 3, 0.1), 'new', { expiresAt: at(100) })]);
      expect((await search(vec(2))).map((n) => n.key)).toEqual(['old', 'new']);
      expect((await store.search(vec(2), scope, { now: at(10) })).map((n) => n.key)).toEqual(['new']);
      expect(await store.prune(at(10))).toBeGreaterThanOrEqual(1);
      expect((await search(vec(2))).map((n) => n.key)).toEqual(['new']);
    });

    it('replaces an entry upserted again under the same key (refresh)', async () => {
      await store.upsert([point('r', vec(4), 'first')]);
      await store.upsert([point('r', vec(4), 'second', { expiresAt: at(7200) })]);
      const found = await search(vec(4));
      expect(found.map((n) => [n.key, n.completion.content, n.expiresAt])).toEqual([['r', 'second', at(7200)]]);
    });

    it('purges exactly the selected scope', async () => {
      const other = { ...scope, promptVersion: 4 };
      const otherTenant = { ...scope, tenantId: `${scope.tenantId}-b` };
      await store.upsert([point('v3', vec(5), 'v3'), point('v4', vec(5), 'v4', { scope: other }), point('b3', vec(5), 'b3', { scope: otherTenant })]);
      expect(await store.deleteScope({ tenantId: scope.tenantId, promptName: 'support-answer', promptVersion: 3 })).toBe(1);
      expect(await search(vec(5))).toEqual([]);
      expect((await search(vec(5), other)).map((n) => n.key)).toEqual(['v4']);
      expect((await search(vec(5), otherTenant)).map((n) => n.key)).toEqual(['b3']);
      expect(await store.deleteScope({ tenantId: otherTenant.tenantId })).toBe(1);
      expect(await search(vec(5), otherTenant)).toEqual([]);
    });

    it('refuses an empty purge selector and a vector of the wrong size with a stable code', async () => {
      const empty = (await store.deleteScope({}).catch((e: unknown) => e)) as BallastError;
      expect(empty).toBeInstanceOf(BallastError);
      expect(empty.code).toBe(ERROR_CODES.invalidRequest);
      await expect(store.search(new Float32Array(3), scope)).rejects.toThrow(/3 dimensions cannot go into a collection of 8/);
    });

    it('keeps many entries in one scope apart from the same number in others, and respects the limit', async () => {
      const others = { ...scope, tenantId: `${scope.tenantId}-x` };
      const points = Array.from({ length: 40 }, (_, i) => point(`m${i}`, vec(6, 7, i / 40), `m${i}`, { scope: i % 2 ? others : scope }));
      await store.upsert(points);
      const found = await search(vec(6), scope, 10);
      expect(found).toHaveLength(10);
      expect(found.map((n) => n.key)).toEqual(Array.from({ length: 10 }, (_, i) => `m${i * 2}`));
    });
  });
}
