import type { Completion } from '#contracts';
import { dot } from './embedder.js';
import {
  checkVector,
  fieldsMatch,
  scopeFields,
  scopeKey,
  selectorFields,
  type LoadableVectorStore,
  type LivePointsCursor,
  type ScopeFields,
  type VectorNeighbour,
  type VectorPoint,
  type VectorScope,
  type VectorScopeSelector,
  type VectorStore,
} from './vector.store.js';

export interface TieredVectorStoreOptions {
  /** Entries held in memory, least recently written or returned dropped first. Default 100,000. */
  maxEntries?: number;
  /** Entries read from the persistent store per query while loading at start. Default 1,000. */
  loadChunk?: number;
  /** Points written to the persistent store per statement, at most. Default 500. */
  maxBatchSize?: number;
}

/** A vector as held in memory: the non-zero dimensions only when they are few (hashed n-grams), else all of them. */
interface Held {
  key: string;
  scope: string;
  /** Indexes of the non-zero dimensions, or null for a dense vector (`values` has every dimension). */
  indexes: Uint16Array | Uint32Array | null;
  values: Float32Array;
  text: string;
  completion: Completion;
  expiresAt: Date;
}

interface Partition {
  fields: ScopeFields;
  entries: Map<string, Held>;
}

function held(point: VectorPoint, scope: string, dimensions: number): Held {
  const v = point.vector;
  let nonZero = 0;
  for (let i = 0; i < v.length; i += 1) if (v[i] !== 0) nonZero += 1;
  let indexes: Uint16Array | Uint32Array | null = null;
  let values: Float32Array;
  // Sparse only when it saves work: a dot product then visits the non-zero dimensions alone.
  if (nonZero * 2 <= dimensions) {
    indexes = dimensions <= 0xffff ? new Uint16Array(nonZero) : new Uint32Array(nonZero);
    values = new Float32Array(nonZero);
    for (let i = 0, j = 0; i < v.length; i += 1) {
      if (v[i] === 0) continue;
      indexes[j] = i;
      values[j] = v[i]!;
      j += 1;
    }
  } else {
    values = Float32Array.from(v);
  }
  return { key: point.key, scope, indexes, values, text: point.text, completion: structuredClone(point.completion), expiresAt: new Date(point.expiresAt) };
}

function similarity(query: Float32Array, h: Held): number {
  if (!h.indexes) return dot(query, h.values);
  let sum = 0;
  for (let j = 0; j < h.indexes.length; j += 1) sum += query[h.indexes[j]!]! * h.values[j]!;
  return sum;
}

/**
 * An in-memory index in front of a persistent vector store that no other process uses (embedded
 * mode: one process, data directory locked), the semantic counterpart of `TieredCacheStore`'s sole
 * owner. Entries are partitioned by exact scope, so a search reads its own scope only, and scored by
 * a dot product over the stored vector's non-zero dimensions (all of them for dense vectors).
 * Writes go to memory at once and to the persistent store behind, one statement at a time, so a
 * restart keeps them (`close` waits for them). At start the live entries are read back in pages;
 * until the last page is in, searches go to the persistent store, so readiness never waits on it.
 * Memory holds at most `maxEntries`: beyond it the entry least recently written or returned is
 * dropped from memory (it stays in the persistent store until it expires, as with the exact layer).
 *
 * @example const store = new TieredVectorStore(new PgVectorStore(dataSource, model, 512), 512, { maxEntries: 100_000 });
 */
export class TieredVectorStore implements VectorStore {
  readonly collection: string;
  private readonly maxEntries: number;
  private readonly loadChunk: number;
  private readonly maxBatchSize: number;
  private readonly partitions = new Map<string, Partition>();
  /** Every held entry, least recently written or returned first. */
  private readonly recency = new Map<string, Held>();
  private loading: Promise<void> | null = null;
  private loaded = false;
  private closed = false;
  private pending: VectorPoint[] = [];
  private flushing: Promise<void> | null = null;
  private failedWrites = 0;

  constructor(
    private readonly persistent: LoadableVectorStore,
    private readonly dimensions: number,
    options: TieredVectorStoreOptions = {},
  ) {
    this.collection = persistent.collection;
    this.maxEntries = options.maxEntries ?? 100_000;
    this.loadChunk = options.loadChunk ?? 1_000;
    this.maxBatchSize = options.maxBatchSize ?? 500;
  }

  /** Creates the persistent collection, then starts reading it into memory (not waited for). */
  async ensureCollection(): Promise<void> {
    await this.persistent.ensureCollection();
    this.loading ??= this.load().catch(() => {
      // A failed load leaves searches on the persistent store: slower, still correct.
      this.loading = null;
    });
  }

  /** Resolves once the entries kept before the start are in memory (or the load failed). */
  async whenLoaded(): Promise<void> {
    await this.loading;
  }

  /** How many entries memory holds now. */
  get size(): number {
    return this.recency.size;
  }

  /** Writes behind that the persistent store refused since the start (those entries will not survive a restart). */
  get lostWrites(): number {
    return this.failedWrites;
  }

  async upsert(points: VectorPoint[]): Promise<void> {
    const keyed = points.map((p) => {
      checkVector(p.vector, this.dimensions);
      return { point: p, scope: scopeKey(p.scope) };
    });
    for (const { point, scope } of keyed) this.hold(held(point, scope, this.dimensions), scopeFields(point.scope));
    this.pending.push(...points.map((p) => ({ ...p, vector: Float32Array.from(p.vector) })));
    this.flushing ??= this.flush();
  }

  async search(vector: Float32Array, scope: VectorScope, options: { limit?: number; now?: Date } = {}): Promise<VectorNeighbour[]> {
    checkVector(vector, this.dimensions);
    const key = scopeKey(scope);
    if (!this.loaded) {
      // Still loading: the persistent store answers, once it has what was written before this search.
      await this.drain();
      return this.persistent.search(vector, scope, options);
    }
    const partition = this.partitions.get(key);
    if (!partition) return [];
    const limit = options.limit ?? 5;
    const now = (options.now ?? new Date()).getTime();
    // The best `limit` so far, most similar first (limit is a handful: insertion beats a heap).
    const best: { h: Held; s: number }[] = [];
    for (const h of partition.entries.values()) {
      if (h.expiresAt.getTime() <= now) continue;
      const s = similarity(vector, h);
      if (best.length === limit && s <= best[limit - 1]!.s) continue;
      let i = best.length - (best.length === limit ? 1 : 0);
      while (i > 0 && best[i - 1]!.s < s) {
        best[i] = best[i - 1]!;
        i -= 1;
      }
      best[i] = { h, s };
    }
    return best.map(({ h, s }) => {
      this.recency.delete(h.key);
      this.recency.set(h.key, h);
      return { key: h.key, similarity: s, text: h.text, completion: structuredClone(h.completion), expiresAt: new Date(h.expiresAt) };
    });
  }

  /** Deletes from the persistent store (after the writes behind and the start-up load) and from memory; returns the persistent count. */
  async deleteScope(selector: VectorScopeSelector): Promise<number | null> {
    const wanted = selectorFields(selector);
    await this.loading;
    await this.drain();
    const deleted = await this.persistent.deleteScope(selector);
    for (const partition of this.partitions.values()) {
      if (!fieldsMatch(partition.fields, wanted)) continue;
      for (const h of [...partition.entries.values()]) this.drop(h);
    }
    return deleted;
  }

  /** Prunes the persistent store (after the writes behind) and memory; returns the persistent count. */
  async prune(now: Date = new Date()): Promise<number | null> {
    await this.drain();
    const deleted = await this.persistent.prune(now);
    for (const h of [...this.recency.values()]) if (h.expiresAt <= now) this.drop(h);
    return deleted;
  }

  /** Stops the load, waits for the writes behind, then closes the persistent store. */
  async close(): Promise<void> {
    this.closed = true;
    await this.loading;
    await this.drain();
    await this.persistent.close();
  }

  private hold(h: Held, fields: ScopeFields): void {
    const old = this.recency.get(h.key);
    if (old) this.drop(old);
    let partition = this.partitions.get(h.scope);
    if (!partition) {
      partition = { fields, entries: new Map() };
      this.partitions.set(h.scope, partition);
    }
    partition.entries.set(h.key, h);
    this.recency.set(h.key, h);
    for (const oldest of this.recency.values()) {
      if (this.recency.size <= this.maxEntries) break;
      this.drop(oldest);
    }
  }

  private drop(h: Held): void {
    this.recency.delete(h.key);
    const partition = this.partitions.get(h.scope);
    if (!partition) return;
    partition.entries.delete(h.key);
    if (partition.entries.size === 0) this.partitions.delete(h.scope);
  }

  /** One statement out at a time: the points written meanwhile gather into the next one. */
  private async flush(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        // The last write of a key wins; one statement may not touch a row twice.
        const batch = [...new Map(this.pending.splice(0, this.maxBatchSize).map((p) => [p.key, p])).values()];
        await this.persistent.upsert(batch).catch(() => {
          this.failedWrites += batch.length;
        });
      }
    } finally {
      this.flushing = null;
    }
  }

  private async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async load(): Promise<void> {
    const now = new Date();
    let after: LivePointsCursor | null = null;
    do {
      if (this.closed) return;
      const page: Awaited<ReturnType<LoadableVectorStore['livePoints']>> = await this.persistent.livePoints({ now, limit: this.loadChunk, after, newest: this.maxEntries });
      for (const point of page.points) {
        // Written since the start: memory already holds the newer version.
        if (this.recency.has(point.key) || this.recency.size >= this.maxEntries) continue;
        this.hold(held(point, scopeKey(point.scope), this.dimensions), scopeFields(point.scope));
      }
      after = page.next;
    } while (after && this.recency.size < this.maxEntries);
    this.loaded = true;
  }
}
