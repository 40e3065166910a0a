import type { DataSource } from 'typeorm';
import type { Publisher } from '#messaging';
import type { Config } from '#config';
import type { cacheConfig } from './cache.config.js';
import type { CacheDeps } from './cache.tokens.js';
import { MemoryCacheStore } from './store/memory.cache-store.js';

export type CacheConfig = Config<typeof cacheConfig.schema>;

/** What the running mode provides: where to publish, and the database when there is one. */
export interface CachePlatform {
  publisher: Publisher;
  dataSource?: DataSource | null;
}

/** The cache stage's dependencies from its parsed configuration (distributed and embedded mode alike). */
export function cacheDepsFromConfig(config: CacheConfig, platform: CachePlatform): CacheDeps {
  return {
    publisher: platform.publisher,
    // LEAD: switch to the Postgres-backed store (PostgresCacheStore on platform.dataSource) once it lands.
    store: new MemoryCacheStore(config.CACHE_MAX_ENTRIES),
    defaultTtlSeconds: config.CACHE_DEFAULT_TTL_SECONDS,
  };
}
