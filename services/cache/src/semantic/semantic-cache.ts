import type { Completion } from '#contracts';
import { counter } from '#observability';
import type { EmbedContext, Embedder } from './embedder.js';
import type { HitVerifier, RefusalReason } from './hit.verifier.js';
import type { VectorScope, VectorScopeSelector, VectorStore } from './vector.store.js';

export interface SemanticHit {
  key: string;
  completion: Completion;
  similarity: number;
  threshold: number;
}

export interface SemanticCacheOptions {
  embedder: Embedder;
  store: VectorStore;
  /** Null serves every neighbour above the threshold unverified (measurement only). */
  verifier: HitVerifier | null;
  /** Used when the prompt's policy names no threshold. */
  defaultThreshold: number;
  /** The longest a look-up (embedding and search) may take before it counts as a miss. */
  timeoutMs: number;
  /** Neighbours above the threshold tried in turn against the verifier. Default 3. */
  candidates?: number;
  /** How often expired entries are deleted, once the collection is ready; 0 never. Default 600,000 (10 min). */
  pruneIntervalMs?: number;
}

const failures = () =>
  counter({
    name: 'ballast_cache_semantic_failures_total',
    help: 'Semantic cache look-ups, writes or prunes that failed or timed out (a look-up became a miss: fail open)',
    labelNames: ['operation', 'reason'],
    labelBounds: { operation: ['lookup', 'store', 'prune'], reason: ['timeout', 'error'] },
  });

const refusals = () =>
  counter({
    name: 'ballast_cache_semantic_refusals_total',
    help: 'Neighbours above the similarity threshold that hit verification refused, by reason',
    labelNames: ['reason'],
    labelBounds: { reason: ['numbers', 'negation', 'entities', 'content-words', 'direction'] },
  });

class TimedOut extends Error {}

function contextOf(requestId: string | undefined, scope: VectorScope): { context?: EmbedContext } {
  return requestId ? { context: { requestId, tenantId: scope.tenantId, promptName: scope.promptName, promptVersion: scope.promptVersion } } : {};
}

/** Runs `work` with an abort signal; rejects with TimedOut after `ms`. */
async function within<T>(ms: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new TimedOut());
    }, Math.max(0, ms));
  });
  try {
    return await Promise.race([work(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The semantic layer of the cache stage: embeds the varying text, searches its scope, verifies the
 * best neighbours. It fails open: an embedder or vector store that is down or slower than the
 * time left becomes a miss (`null`), counted in `ballast_cache_semantic_failures_total`, never an error.
 */
export class SemanticCache {
  private ready: Promise<void> | null = null;
  private sweeper: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly options: SemanticCacheOptions) {}

  get threshold(): number {
    return this.options.defaultThreshold;
  }

  /** `requestId` names the request a paid embedding is reported for (usage events). */
  async lookup(text: string, scope: VectorScope, options: { threshold?: number | null; deadline?: Date | null; now?: Date; requestId?: string } = {}): Promise<SemanticHit | null> {
    const now = options.now ?? new Date();
    const threshold = options.threshold ?? this.options.defaultThreshold;
    const left = options.deadline ? options.deadline.getTime() - Date.now() : Infinity;
    const budget = Math.min(this.options.timeoutMs, left);
    if (budget <= 0) return null;
    const neighbours = await this.guard('lookup', budget, async (signal) => {
      await this.ensureReady();
      const [vector] = await this.options.embedder.embed([text], { signal, ...contextOf(options.requestId, scope) });
      return this.options.store.search(vector!, scope, { limit: this.options.candidates ?? 3, now });
    });
    for (const n of neighbours ?? []) {
      if (n.similarity < threshold) break;
      const refusal: RefusalReason | null = this.options.verifier ? this.options.verifier.refusal(text, n.text) : null;
      if (refusal) {
        refusals().inc({ reason: refusal });
        continue;
      }
      return { key: n.key, completion: n.completion, similarity: n.similarity, threshold };
    }
    return null;
  }

  /** Stores an answer for later look-ups; a failure is counted and swallowed (the answer was already served). */
  async store(entry: { key: string; text: string; scope: VectorScope; completion: Completion; expiresAt: Date; requestId?: string }): Promise<void> {
    await this.guard('store', Math.max(this.options.timeoutMs, 5_000), async (signal) => {
      await this.ensureReady();
      const [vector] = await this.options.embedder.embed([entry.text], { signal, ...contextOf(entry.requestId, entry.scope) });
      await this.options.store.upsert([{ key: entry.key, text: entry.text, scope: entry.scope, completion: entry.completion, expiresAt: entry.expiresAt, vector: vector! }]);
    });
  }

  /** Deletes the entries of a scope (an operator's purge; errors are not swallowed). */
  async purge(selector: VectorScopeSelector): Promise<number | null> {
    await this.ensureReady();
    return this.options.store.deleteScope(selector);
  }

  prune(now = new Date()): Promise<number | null> {
    return this.options.store.prune(now);
  }

  close(): Promise<void> {
    this.closed = true;
    if (this.sweeper) clearInterval(this.sweeper);
    return this.options.store.close();
  }

  /**
   * Gets the store ready now rather than on the first look-up (an in-memory index starts loading);
   * not waited for, and a failure is retried on first use.
   */
  warmUp(): void {
    this.ensureReady().catch(() => undefined);
  }

  /** Creates the collection once (a failure is retried on the next call), then starts the sweeper. */
  private ensureReady(): Promise<void> {
    this.ready ??= this.options.store.ensureCollection().then(
      () => this.startSweeper(),
      (error: unknown) => {
        this.ready = null;
        throw error;
      },
    );
    return this.ready;
  }

  private startSweeper(): void {
    const every = this.options.pruneIntervalMs ?? 600_000;
    if (every <= 0 || this.sweeper || this.closed) return;
    // Any replica may prune; concurrent prunes delete the same expired points at worst twice.
    this.sweeper = setInterval(() => {
      this.options.store.prune(new Date()).catch(() => failures().inc({ operation: 'prune', reason: 'error' }));
    }, every);
    this.sweeper.unref();
  }

  private async guard<T>(operation: 'lookup' | 'store', ms: number, work: (signal: AbortSignal) => Promise<T>): Promise<T | null> {
    try {
      return await within(ms, work);
    } catch (error) {
      failures().inc({ operation, reason: error instanceof TimedOut ? 'timeout' : 'error' });
      return null;
    }
  }
}
