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
  /** Its place in its scope's index. */
  slot: number;
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
  return { key: point.key, scope, indexes, values, text: point.text, completion: structuredClone(point.completion), expiresAt: new Date(point.expiresAt), slot: -1 };
}

function similarity(query: Float32Array, h: Held): number {
  if (!h.indexes) return dot(query, h.values);
  let sum = 0;
  for (let j = 0; j < h.indexes.length; j += 1) sum += query[h.indexes[j]!]! * h.values[j]!;
  return sum;
}

type Scored = { h: Held; s: number };

/** Keeps `best` the `limit` highest-scoring so far, most similar first (limit is a handful: insertion beats a heap). */
function offer(best: Scored[], limit: number, h: Held, s: number): void {
  if (best.length === limit && s <= best[limit - 1]!.s) return;
  let i = best.length - (best.length === limit ? 1 : 0);
  while (i > 0 && best[i - 1]!.s < s) {
    best[i] = best[i - 1]!;
    i -= 1;
  }
  best[i] = { h, s };
}

/**
 * The entries of one exact scope. Sparse vectors are also in an inverted index (per dimension: the
 * slots and weights of the entries non-zero there), so a search adds up only the dimensions the
 * query and an entry share; dense vectors are scored one by one.
 */
class ScopeIndex {
  readonly entries = new Map<string, Held>();
  private slots: (Held | null)[] = [];
  /** Per dimension in use: the slots of the entries non-zero there and their weights (absent when none, so a small scope stays small). */
  private postings = new Map<number, { slots: number[]; weights: number[] }>();
  private readonly dense = new Set<Held>();
  private dead = 0;
  private scores = new Float64Array(0);
  private seen = new Uint8Array(0);

  constructor(readonly fields: ScopeFields) {}

  add(h: Held): void {
    this.entries.set(h.key, h);
    if (!h.indexes) {
      this.dense.add(h);
      return;
    }
    h.slot = this.slots.length;
    this.slots.push(h);
    for (let j = 0; j < h.indexes.length; j += 1) {
      let posting = this.postings.get(h.indexes[j]!);
      if (!posting) {
        posting = { slots: [], weights: [] };
        this.postings.set(h.indexes[j]!, posting);
      }
      posting.slots.push(h.slot);
      posting.weights.push(h.values[j]!);
    }
  }

  remove(h: Held): void {
    this.entries.delete(h.key);
    if (!h.indexes) {
      this.dense.delete(h);
      return;
    }
    this.slots[h.slot] = null;
    this.dead += 1;
    // Postings of removed entries are skipped until they outnumber the live ones, then rebuilt.
    if (this.dead > 64 && this.dead > this.entries.size) this.rebuild();
  }

  search(query: Float32Array, limit: number, now: number): Scored[] {
    const best: Scored[] = [];
    const n = this.slots.length;
    if (this.scores.length < n) {
      this.scores = new Float64Array(Math.max(n, this.scores.length * 2));
      this.seen = new Uint8Array(this.scores.length);
    }
    const touched: number[] = [];
    for (let d = 0; d < query.length; d += 1) {
      const q = query[d]!;
      if (q === 0) continue;
      const posting = this.postings.get(d);
      if (!posting) continue;
      const { slots, weights } = posting;
      for (let i = 0; i < slots.length; i += 1) {
        const slot = slots[i]!;
        if (this.seen[slot] === 0) {
          this.seen[slot] = 1;
          touched.push(slot);
        }
        this.scores[slot]! += q * weights[i]!;
      }
    }
    for (const slot of touched) {
      const h = this.slots[slot];
      if (h && h.expiresAt.getTime() > now) offer(best, limit, h, this.scores[slot]!);
      this.scores[slot] = 0;
      this.seen[slot] = 0;
    }
    for (const h of this.dense) if (h.expiresAt.getTime() > now) offer(best, limit, h, dot(query, h.values));
    // Entries sharing no dimension with the query score exactly 0: score them all when they could rank.
    if (best.length < limit || best[best.length - 1]!.s <= 0) return this.scan(query, limit, now);
    return best;
  }

  /** Every live entry scored one by one. */
  private scan(query: Float32Array, limit: number, now: number): Scored[] {
    const best: Scored[] = [];
    for (const h of this.entries.values()) if (h.expiresAt.getTime() > now) offer(best, limit, h, similarity(query, h));
    return best;
  }

  private rebuild(): void {
    const sparse = [...this.entries.values()].filter((h) => h.indexes);
    this.slots = [];
    this.dead = 0;
    this.postings = new Map();
    for (const h of sparse) {
      this.entries.delete(h.key);
      this.add(h);
    }
  }
}

/**
 * An in-memory index in front of a persistent vector store that no other process uses (embedded
 * mode: one process, data directory locked), the semantic counterpart of `TieredCacheStore`'s sole
 * owner. Entries are partitioned by exact scope, so a search reads its own scope only; inside a
 * scope, sparse vectors (the local embedder's hashed n-grams) are scored through an inverted index
 * over their non-zero dimensions, dense ones by a dot product each.
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
  private readonly partitions = new Map<string, ScopeIndex>();
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
    const best = partition.search(vector, options.limit ?? 5, (options.now ?? new Date()).getTime());
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
      partition = new ScopeIndex(fields);
      this.partitions.set(h.scope, partition);
    }
    partition.add(h);
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
    partition.remove(h);
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
