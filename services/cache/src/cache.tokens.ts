import type { Publisher } from '#messaging';
import type { CacheStore } from './store/cache.store.js';

export const CACHE_DEPS = Symbol('CACHE_DEPS');

export interface CacheDeps {
  publisher: Publisher;
  store: CacheStore;
  defaultTtlSeconds: number;
}
