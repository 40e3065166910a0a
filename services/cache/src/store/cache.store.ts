import type { Completion } from '#contracts';

/** Exact-match answers by scoped key. In-process LRU today; shared stores (Qdrant, pgvector) come with the semantic cache. */
export interface CacheStore {
  get(key: string, now?: Date): Promise<Completion | null>;
  set(key: string, completion: Completion, ttlSeconds: number, now?: Date): Promise<void>;
}
