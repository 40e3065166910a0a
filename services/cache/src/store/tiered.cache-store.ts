import type { Completion } from '#contracts';
import type { PruneOptions } from '#persistence';
import { cacheSetOptions, checkCacheTtl, type CacheSetOptions, type CacheStore, type ExpiringCacheStore } from './cache.store.js';
import { MemoryCacheStore } from './memory.cache-store.js';

export interface TieredCacheStoreOptions {
  /**
   * How long this replica serves an entry from memory before asking the shared store again: the
   * longest it can serve an answer that a `refresh` on another replica has replaced. Default 10.
   */
  lruTtlSeconds?: number;
  /** Entries kept in memory, least recently used dropped first. Default 100,000. */
  maxEntries?: number;
}

export const DEFAULT_LRU_TTL_SECONDS = 10;

/**
 * A per-replica LRU (`MemoryCacheStore`) read through in front of a shared store, so hot keys cost
 * no round trip. A set writes the shared store, then the LRU. A local copy lives at most
 * `lruTtlSeconds`, and never past the entry's own expiry.
 *
 * @example const store = new TieredCacheStore(new PostgresCacheStore(dataSource), { lruTtlSeconds: 10 });
 */
export class TieredCacheStore implements CacheStore {
  private readonly local: MemoryCacheStore;
  private readonly lruTtlSeconds: number;

  constructor(
    private readonly shared: ExpiringCacheStore,
    options: TieredCacheStoreOptions = {},
  ) {
    this.lruTtlSeconds = options.lruTtlSeconds ?? DEFAULT_LRU_TTL_SECONDS;
    checkCacheTtl(this.lruTtlSeconds);
    this.local = new MemoryCacheStore(options.maxEntries);
  }

  async get(key: string, now = new Date()): Promise<Completion | null> {
    const near = await this.local.get(key, now);
    if (near) return near;
    const far = await this.shared.getEntry(key, now);
    if (!far) return null;
    const remainingSeconds = (far.expiresAt.getTime() - now.getTime()) / 1000;
    if (remainingSeconds > 0) await this.local.set(key, far.completion, Math.min(this.lruTtlSeconds, remainingSeconds), now);
    return far.completion;
  }

  async set(key: string, completion: Completion, ttlSeconds: number, options?: CacheSetOptions | Date): Promise<void> {
    const resolved = cacheSetOptions(options);
    await this.shared.set(key, completion, ttlSeconds, resolved);
    await this.local.set(key, completion, Math.min(this.lruTtlSeconds, ttlSeconds), resolved.now);
  }

  /** Prunes the shared store, and this replica's LRU of the copies expired at `now`; returns the shared count. */
  async prune(now: Date = new Date(), options: PruneOptions = {}): Promise<number> {
    const deleted = await this.shared.prune(now, options);
    await this.local.prune(now);
    return deleted;
  }

  close(): Promise<void> {
    return this.shared.close();
  }
}
