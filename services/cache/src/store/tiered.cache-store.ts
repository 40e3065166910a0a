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
  /**
   * This process is the shared store's only user (embedded mode): memory is reloaded from the shared
   * store at start and answers alone, and sets are written behind, so the request path never waits
   * on the database while entries still survive a restart.
   */
  soleOwner?: boolean;
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
  private readonly maxEntries: number;
  /** Sole owner: the reload from the shared store (never rejects), which every call waits for. */
  private loaded: Promise<void> | null;
  private readonly writes = new Set<Promise<unknown>>();

  constructor(
    private readonly shared: ExpiringCacheStore,
    options: TieredCacheStoreOptions = {},
  ) {
    this.lruTtlSeconds = options.lruTtlSeconds ?? DEFAULT_LRU_TTL_SECONDS;
    checkCacheTtl(this.lruTtlSeconds);
    this.maxEntries = options.maxEntries ?? 100_000;
    this.local = new MemoryCacheStore(this.maxEntries);
    // A failed reload is a cold cache, not a failed request.
    this.loaded = options.soleOwner ? this.reload().catch(() => undefined) : null;
  }

  async get(key: string, now = new Date()): Promise<Completion | null> {
    if (this.loaded) {
      await this.loaded;
      return this.local.get(key, now);
    }
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
    if (this.loaded) {
      await this.loaded;
      await this.local.set(key, completion, ttlSeconds, resolved.now);
      const write: Promise<unknown> = this.shared.set(key, completion, ttlSeconds, resolved).catch(() => undefined).finally(() => this.writes.delete(write));
      this.writes.add(write);
      return;
    }
    await this.shared.set(key, completion, ttlSeconds, resolved);
    await this.local.set(key, completion, Math.min(this.lruTtlSeconds, ttlSeconds), resolved.now);
  }

  /** Prunes the shared store, and this replica's LRU of the copies expired at `now`; returns the shared count. */
  async prune(now: Date = new Date(), options: PruneOptions = {}): Promise<number> {
    const deleted = await this.shared.prune(now, options);
    await this.local.prune(now);
    return deleted;
  }

  /**
   * An operator's purge: `remove` deletes from the shared store (after the writes behind landed, so
   * none of them brings a purged entry back), then this replica's copies are dropped; a sole owner
   * reloads what is left. Returns what `remove` deleted.
   */
  async purge(remove: () => Promise<number>): Promise<number> {
    while (this.writes.size > 0) await Promise.allSettled([...this.writes]);
    const deleted = await remove();
    this.local.clear();
    if (this.loaded) this.loaded = this.reload().catch(() => undefined);
    return deleted;
  }

  /** Waits for the writes behind (sole owner), then closes the shared store. */
  async close(): Promise<void> {
    while (this.writes.size > 0) await Promise.allSettled([...this.writes]);
    await this.shared.close();
  }

  private async reload(now = new Date()): Promise<void> {
    const entries = await this.shared.liveEntries(now, this.maxEntries);
    // Oldest first, so the newest end up the most recently used.
    for (const e of entries.reverse()) await this.local.set(e.key, e.completion, (e.expiresAt.getTime() - now.getTime()) / 1000, now);
  }
}
