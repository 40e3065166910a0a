import { BallastError, ERROR_CODES, type Completion } from '#contracts';
import type { PruneOptions } from '#persistence';

/** Who an entry belongs to, kept beside it so entries can later be purged or counted by scope. */
export interface CacheScope {
  tenantId: string;
  promptName: string | null;
  promptVersion: number | null;
  /** The model that produced the answer. */
  model: string | null;
}

export interface CacheSetOptions {
  now?: Date;
  scope?: CacheScope;
}

/** A stored answer and when it stops being served. */
export interface CachedAnswer {
  completion: Completion;
  expiresAt: Date;
}

/**
 * Exact-match answers by scoped key. `set` replaces what the key held (a `refresh` overwrites);
 * `get` never returns an entry past its TTL. Implementations: `MemoryCacheStore` (one process),
 * `PostgresCacheStore` (shared by replicas, survives restarts), `TieredCacheStore` (an LRU in front).
 */
export interface CacheStore {
  get(key: string, now?: Date): Promise<Completion | null>;
  /** `options` may be a bare Date (the old `now` argument). */
  set(key: string, completion: Completion, ttlSeconds: number, options?: CacheSetOptions | Date): Promise<void>;
}

/** A store that also says when an entry expires (so a cache in front of it never outlives it), prunes and closes. */
export interface ExpiringCacheStore extends CacheStore {
  getEntry(key: string, now?: Date): Promise<CachedAnswer | null>;
  /** Deletes the entries expired at `now`; returns how many. */
  prune(now?: Date, options?: PruneOptions): Promise<number>;
  /** The entries still live at `now`, newest first, at most `limit` (to reload a cache in front of it). */
  liveEntries(now: Date, limit: number): Promise<Array<CachedAnswer & { key: string }>>;
  /** Waits for calls already made; call before closing what the store runs on. */
  close(): Promise<void>;
}

export function cacheSetOptions(options: CacheSetOptions | Date | undefined): CacheSetOptions {
  return options instanceof Date ? { now: options } : (options ?? {});
}

/** Longer than any key `exactCacheKey` makes (64 hex characters), short enough for a btree index entry. */
export const MAX_CACHE_KEY_LENGTH = 512;

/** Rejects a key or TTL no store can keep, with the same error from every store. */
export function checkCacheKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_CACHE_KEY_LENGTH || key.includes('\0')) {
    throw new BallastError(
      ERROR_CODES.internal,
      `a cache key must be 1-${MAX_CACHE_KEY_LENGTH} characters without NUL; got ${typeof key === 'string' ? `${key.length} characters` : typeof key}`,
    );
  }
}

export function checkCacheTtl(ttlSeconds: number): void {
  if (!(Number.isFinite(ttlSeconds) && ttlSeconds > 0)) {
    throw new BallastError(ERROR_CODES.internal, `a cache entry's TTL must be a positive number of seconds, got ${ttlSeconds}`);
  }
}
