import type { DataSource } from 'typeorm';
import type { Publisher } from '#messaging';
import type { SemanticCache } from './semantic/semantic-cache.js';
import type { CacheStore } from './store/cache.store.js';

export const CACHE_DEPS = Symbol('CACHE_DEPS');

export interface CacheDeps {
  publisher: Publisher;
  store: CacheStore;
  defaultTtlSeconds: number;
  /** The semantic layer; absent when no vector store is configured (exact matching only). */
  semantic?: SemanticCache | null;
  /** Cache mode of requests whose prompt's policy names none (ad-hoc chats included). Default exact. */
  defaultMode?: 'exact' | 'semantic';
  /** The database `store` keeps its shared table in, for operator purges; absent without one. */
  dataSource?: DataSource | null;
}
