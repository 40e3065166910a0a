import { MemoryCacheStore } from '../src/store/memory.cache-store.js';
import { TieredCacheStore } from '../src/store/tiered.cache-store.js';
import { completion, describeCacheStoreContract } from './cache-store.contract.js';

describeCacheStoreContract('MemoryCacheStore', async () => ({ store: new MemoryCacheStore() }), { shared: false });

// The in-memory store stands in for the shared one: replicas and restarts of the tiered store itself.
describeCacheStoreContract(
  'TieredCacheStore over a MemoryCacheStore',
  async () => {
    const shared = new MemoryCacheStore();
    return {
      store: new TieredCacheStore(shared, { lruTtlSeconds: 5 }),
      replica: async () => new TieredCacheStore(shared, { lruTtlSeconds: 5 }),
      restart: async () => new TieredCacheStore(shared, { lruTtlSeconds: 5 }),
    };
  },
  { shared: true },
);

describe('MemoryCacheStore', () => {
  it('forgets the least recently used entry beyond its capacity', async () => {
    const store = new MemoryCacheStore(2);
    const now = new Date('2031-03-01T12:00:00Z');
    const done = completion('x');
    await store.set('a', done, 60, now);
    await store.set('b', done, 60, now);
    await store.get('a', now);
    await store.set('c', done, 60, now);
    expect(await store.get('b', now)).toBeNull();
    expect(await store.get('a', now)).not.toBeNull();
    expect(await store.get('c', now)).not.toBeNull();
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new MemoryCacheStore(0)).toThrow(/maxEntries must be a positive integer/);
  });
});
