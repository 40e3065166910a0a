import type { Completion } from '#contracts';
import { checkPruneArguments, type PruneOptions } from '#persistence';
import { cacheSetOptions, checkCacheKey, checkCacheTtl, type CachedAnswer, type CacheScope, type CacheSetOptions, type ExpiringCacheStore } from './cache.store.js';

interface Entry {
  completion: Completion;
  expiresAt: number;
  scope: CacheScope | undefined;
}

/** A bounded LRU with per-entry TTL; a Map keeps insertion order, so the first key is the oldest. */
export class MemoryCacheStore implements ExpiringCacheStore {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxEntries = 100_000) {
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}`);
  }

  async get(key: string, now = new Date()): Promise<Completion | null> {
    return (await this.getEntry(key, now))?.completion ?? null;
  }

  async getEntry(key: string, now = new Date()): Promise<CachedAnswer | null> {
    checkCacheKey(key);
    const entry = this.entries.get(key);
    if (!entry) return null;
    if (entry.expiresAt <= now.getTime()) {
      this.entries.delete(key);
      return null;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    return { completion: entry.completion, expiresAt: new Date(entry.expiresAt) };
  }

  async set(key: string, completion: Completion, ttlSeconds: number, options?: CacheSetOptions | Date): Promise<void> {
    checkCacheKey(key);
    checkCacheTtl(ttlSeconds);
    const { now = new Date(), scope } = cacheSetOptions(options);
    this.entries.delete(key);
    this.entries.set(key, { completion, expiresAt: now.getTime() + ttlSeconds * 1000, scope });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  async prune(now: Date = new Date(), options: PruneOptions = {}): Promise<number> {
    checkPruneArguments(now, options);
    let deleted = 0;
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt <= now.getTime() && this.entries.delete(key)) deleted++;
    }
    return deleted;
  }

  /** Nothing to wait for: every call finishes before it returns. */
  async liveEntries(now: Date, limit: number): Promise<Array<CachedAnswer & { key: string }>> {
    const live = [...this.entries].filter(([, e]) => e.expiresAt > now.getTime()).reverse().slice(0, limit);
    return live.map(([key, e]) => ({ key, completion: e.completion, expiresAt: new Date(e.expiresAt) }));
  }

  /** Deletes the entries stored with a scope the selector names (a prompt, optionally one version and tenant); returns how many. */
  purge(selector: { promptName: string; promptVersion?: number; tenantId?: string }): number {
    let deleted = 0;
    for (const [key, { scope }] of this.entries) {
      if (!scope || scope.promptName !== selector.promptName) continue;
      if (selector.promptVersion !== undefined && scope.promptVersion !== selector.promptVersion) continue;
      if (selector.tenantId !== undefined && scope.tenantId !== selector.tenantId) continue;
      this.entries.delete(key);
      deleted++;
    }
    return deleted;
  }

  /** Forgets every entry (a purge elsewhere made this copy stale). */
  clear(): void {
    this.entries.clear();
  }

  async close(): Promise<void> {}
}
