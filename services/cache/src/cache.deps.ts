import type { DataSource } from 'typeorm';
import type { Config } from '#config';
import type { Publisher } from '#messaging';
import type { cacheConfig } from './cache.config.js';
import type { CacheDeps } from './cache.tokens.js';
import { publishEmbeddingUsage } from './semantic/embedding-usage.js';
import { semanticCacheFromConfig } from './semantic/semantic-cache.factory.js';
import { MemoryCacheStore } from './store/memory.cache-store.js';
import { PostgresCacheStore } from './store/postgres.cache-store.js';
import { TieredCacheStore } from './store/tiered.cache-store.js';

export type CacheConfig = Config<typeof cacheConfig.schema>;

/** What the running mode provides: where to publish, and the database when there is one. */
export interface CachePlatform {
  publisher: Publisher;
  dataSource?: DataSource | null;
  /** The database has no other user (embedded mode): answers come from memory and are written behind. */
  soleOwner?: boolean;
}

/**
 * The cache stage's dependencies from its parsed configuration (distributed and embedded mode
 * alike). With a database, answers live in its `cache_entries` table (shared by replicas, kept
 * across restarts) behind a per-replica LRU; without one, in this process only. The semantic layer
 * is the one `semanticCacheFromConfig` picks (Qdrant, pgvector in the same database, or none).
 */
export function cacheDepsFromConfig(config: CacheConfig, platform: CachePlatform): CacheDeps {
  const soleOwner = platform.soleOwner === true;
  // A sole owner only writes behind: one statement out at a time lets the sets made meanwhile
  // gather into the next one (per-statement cost dominates on PGlite, which shares the event loop).
  const shared = platform.dataSource ? new PostgresCacheStore(platform.dataSource, soleOwner ? { maxInFlight: 1, maxBatchSize: 1_000 } : {}) : null;
  const store = shared
    ? new TieredCacheStore(shared, { lruTtlSeconds: config.CACHE_LRU_TTL_SECONDS, maxEntries: config.CACHE_MAX_ENTRIES, soleOwner })
    : new MemoryCacheStore(config.CACHE_MAX_ENTRIES);
  return {
    publisher: platform.publisher,
    store,
    defaultTtlSeconds: config.CACHE_DEFAULT_TTL_SECONDS,
    semantic: semanticCacheFromConfig(config, platform.dataSource, { onUsage: publishEmbeddingUsage(platform.publisher), soleOwner }),
    defaultMode: config.CACHE_DEFAULT_MODE,
    dataSource: platform.dataSource ?? null,
  };
}
