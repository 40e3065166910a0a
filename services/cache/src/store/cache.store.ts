import type { Completion } from '#contracts';

/** Exact-match answers by scoped key. Implementations: in-process LRU (embedded), Postgres, Qdrant later. */
export interface CacheStore {
  get(key: string, now?: Date): Promise<Completion | null>;
  set(key: string, completion: Completion, ttlSeconds: number, now?: Date): Promise<void>;
  size(): number;
}
