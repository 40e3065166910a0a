import { jest } from '@jest/globals';
import { completion, newKey } from '../../test/cache-store.contract.js';
import { MemoryCacheStore } from './memory.cache-store.js';
import { TieredCacheStore } from './tiered.cache-store.js';

const T0 = new Date('2031-03-01T12:00:00.000Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);

/** Two replicas, each with its own LRU, over one shared store. */
function replicas(lruTtlSeconds: number) {
  const shared = new MemoryCacheStore();
  return { shared, one: new TieredCacheStore(shared, { lruTtlSeconds }), two: new TieredCacheStore(shared, { lruTtlSeconds }) };
}

describe('TieredCacheStore', () => {
  it('serves a hot key from its own memory without asking the shared store again', async () => {
    const { shared, one, two } = replicas(10);
    const key = newKey();
    await one.set(key, completion('hot'), 60, at(0));
    const getEntry = jest.spyOn(shared, 'getEntry');
    expect((await one.get(key, at(1)))?.content).toBe('hot');
    expect(getEntry).not.toHaveBeenCalled();

    expect((await two.get(key, at(1)))?.content).toBe('hot');
    expect((await two.get(key, at(2)))?.content).toBe('hot');
    expect(getEntry).toHaveBeenCalledTimes(1);
  });

  it("serves another replica's replaced answer for at most its LRU TTL", async () => {
    const { one, two } = replicas(10);
    const key = newKey();
    await one.set(key, completion('first answer'), 3600, at(0));
    expect((await two.get(key, at(0)))?.content).toBe('first answer');

    await one.set(key, completion('refreshed answer'), 3600, at(1));
    expect((await one.get(key, at(1)))?.content).toBe('refreshed answer');
    // Replica two still holds its copy from t=0 ...
    expect((await two.get(key, at(9)))?.content).toBe('first answer');
    // ... and asks the shared store again once that copy is 10 s old.
    expect((await two.get(key, at(10)))?.content).toBe('refreshed answer');
  });

  it("never serves a copy past the entry's own expiry, however long its LRU TTL", async () => {
    const { one, two } = replicas(30);
    const key = newKey();
    await one.set(key, completion('short-lived'), 5, at(0));
    expect((await two.get(key, at(2)))?.content).toBe('short-lived');
    expect(await one.get(key, at(5))).toBeNull();
    expect(await two.get(key, at(5))).toBeNull();
  });

  it('keeps no local copy when the shared store refuses a write', async () => {
    const shared = new MemoryCacheStore();
    const store = new TieredCacheStore(shared);
    const key = newKey();
    jest.spyOn(shared, 'set').mockRejectedValueOnce(new Error('connection terminated'));
    await expect(store.set(key, completion('lost'), 60, at(0))).rejects.toThrow('connection terminated');
    expect(await store.get(key, at(1))).toBeNull();
  });

  it('refuses an LRU TTL that is not a positive number', () => {
    expect(() => new TieredCacheStore(new MemoryCacheStore(), { lruTtlSeconds: 0 })).toThrow(/TTL must be a positive number/);
  });
});

describe('TieredCacheStore as the sole owner of its shared store (embedded mode)', () => {
  it('answers from memory only and writes behind, so a miss costs no database round trip', async () => {
    const shared = new MemoryCacheStore();
    const getEntry = jest.spyOn(shared, 'getEntry');
    const store = new TieredCacheStore(shared, { soleOwner: true });
    const key = newKey();
    expect(await store.get(key)).toBeNull();
    await store.set(key, completion('written behind'), 60);
    expect((await store.get(key))?.content).toBe('written behind');
    await store.close();
    expect(getEntry).not.toHaveBeenCalled();
    expect((await shared.get(key))?.content).toBe('written behind');
  });

  it('reloads the live entries at start, so a restart keeps every answer and drops the expired ones', async () => {
    const shared = new MemoryCacheStore();
    const before = new TieredCacheStore(shared, { soleOwner: true });
    const kept = newKey();
    const expired = newKey();
    await before.set(kept, completion('kept'), 3600);
    await before.set(expired, completion('gone'), 1, new Date(Date.now() - 5_000));
    await before.close();

    const after = new TieredCacheStore(shared, { soleOwner: true });
    expect((await after.get(kept))?.content).toBe('kept');
    expect(await after.get(expired)).toBeNull();
  });
  it('a purge deletes the scope from the shared store and from memory; a sole owner keeps serving the rest', async () => {
    const shared = new MemoryCacheStore();
    const owner = new TieredCacheStore(shared, { soleOwner: true });
    const now = new Date();
    const acme = { tenantId: 'acme', promptName: 'support-answer', promptVersion: 3, model: 'sim-1' };
    const [purged, kept] = [newKey(), newKey()];
    await owner.set(purged, completion('acme v3'), 3600, { now, scope: acme });
    await owner.set(kept, completion('globex v3'), 3600, { now, scope: { ...acme, tenantId: 'globex' } });
    // Written behind: the purge waits for those writes, so none of them brings the entry back.
    expect(await owner.purge(async () => shared.purge({ promptName: 'support-answer', promptVersion: 3, tenantId: 'acme' }))).toBe(1);
    expect(await owner.get(purged, now)).toBeNull();
    expect((await owner.get(kept, now))?.content).toBe('globex v3');
    expect(await shared.get(purged, now)).toBeNull();
  });
});
