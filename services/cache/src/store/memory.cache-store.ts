import type { Completion } from '#contracts';
import type { CacheStore } from './cache.store.js';

interface Entry {
  completion: Completion;
  expiresAt: number;
}

/** A bounded LRU with per-entry TTL; a Map keeps insertion order, so the first key is the oldest. */
export class MemoryCacheStore implements CacheStore {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxEntries = 100_000) {}

  async get(key: string, now = new Date()): Promise<Completion | null> {
    const entry = this.entries.get(key);
    if (!entry) return null;
    if (entry.expiresAt <= now.getTime()) {
      this.entries.delete(key);
      return null;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.completion;
  }

  async set(key: string, completion: Completion, ttlSeconds: number, now = new Date()): Promise<void> {
    this.entries.delete(key);
    this.entries.set(key, { completion, expiresAt: now.getTime() + ttlSeconds * 1000 });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }
}
