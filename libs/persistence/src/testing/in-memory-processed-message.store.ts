import type { ProcessedMessage, ProcessedMessageStore, PruneOptions } from '../idempotency/processed-message.store.js';
import { checkPruneArguments } from '../idempotency/prune-arguments.js';
import { checkStorableKey, storableOutcomeJson } from '../idempotency/storable-outcome.js';

interface Entry {
  stage: string;
  requestId: string;
  /** The outcome as Postgres would store it: JSON text, or null for none. */
  json: string | null;
  createdAt: number;
}

export interface InMemoryProcessedMessageStoreOptions {
  now?: () => Date;
  /**
   * Records kept at most; beyond it the oldest are forgotten, so a long-running embedded instance
   * does not grow without bound. A request id seen again after its record was forgotten is handled
   * as new. Default 200,000.
   */
  maxEntries?: number;
  /** Told about each record forgotten to stay within `maxEntries` (a write-behind remembers that Postgres has it). */
  onEvict?: (stage: string, requestId: string) => void;
}

/**
 * The ledger in process memory: the unit-test fake, and embedded mode's store (PGlite serves one
 * connection and the in-memory bus does not outlive the process anyway). Outcomes round-trip through
 * JSON exactly as they do through Postgres' jsonb.
 */
export class InMemoryProcessedMessageStore implements ProcessedMessageStore {
  private readonly records = new Map<string, Entry>();
  private readonly now: () => Date;
  private readonly maxEntries: number;
  private readonly onEvict: ((stage: string, requestId: string) => void) | undefined;

  constructor(options: InMemoryProcessedMessageStoreOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.onEvict = options.onEvict;
    this.maxEntries = options.maxEntries ?? 200_000;
    if (!Number.isInteger(this.maxEntries) || this.maxEntries < 1) throw new Error(`maxEntries must be a positive integer (got ${options.maxEntries})`);
  }

  async record(stage: string, requestId: string, outcome: unknown): Promise<{ stored: boolean; record: ProcessedMessage }> {
    const { stored, entry } = this.insert(stage, requestId, outcome);
    return { stored, record: materialise(entry) };
  }

  /**
   * `record`, also giving the kept outcome's JSON text as Postgres would store it (null for none),
   * which a write-behind sends on as is.
   */
  recordJson(stage: string, requestId: string, outcome: unknown): { stored: boolean; record: ProcessedMessage; json: string | null } {
    const { stored, entry } = this.insert(stage, requestId, outcome);
    return { stored, record: materialise(entry), json: entry.json };
  }

  private insert(stage: string, requestId: string, outcome: unknown): { stored: boolean; entry: Entry } {
    const json = storableOutcomeJson(stage, requestId, outcome);
    const key = keyOf(stage, requestId);
    const existing = this.records.get(key);
    if (existing) return { stored: false, entry: existing };
    const entry: Entry = { stage, requestId, json, createdAt: this.now().getTime() };
    this.records.set(key, entry);
    this.evictBeyondBound();
    return { stored: true, entry };
  }

  /** Puts back records kept elsewhere, oldest first, with their own times (a store reloaded at start-up). */
  restore(records: Iterable<ProcessedMessage>): void {
    for (const r of records) {
      const json = storableOutcomeJson(r.stage, r.requestId, r.outcome);
      this.records.set(keyOf(r.stage, r.requestId), { stage: r.stage, requestId: r.requestId, json, createdAt: r.createdAt.getTime() });
      this.evictBeyondBound();
    }
  }

  /** Whether the pair is held in memory now. */
  holds(stage: string, requestId: string): boolean {
    return this.records.has(keyOf(stage, requestId));
  }

  // A Map iterates in insertion order: the first key is the oldest record.
  private evictBeyondBound(): void {
    if (this.records.size <= this.maxEntries) return;
    const [key, oldest] = this.records.entries().next().value!;
    this.records.delete(key);
    this.onEvict?.(oldest.stage, oldest.requestId);
  }

  async find(stage: string, requestId: string): Promise<ProcessedMessage | null> {
    checkStorableKey(stage, requestId);
    const entry = this.records.get(keyOf(stage, requestId));
    return entry ? materialise(entry) : null;
  }

  async release(stage: string, requestId: string): Promise<boolean> {
    checkStorableKey(stage, requestId);
    return this.records.delete(keyOf(stage, requestId));
  }

  /** Deletes in one pass: nothing else runs meanwhile, so there is no lock to keep short. */
  async prune(olderThan: Date, options: PruneOptions = {}): Promise<number> {
    checkPruneArguments(olderThan, options);
    if (options.signal?.aborted) return 0;
    const cutOff = olderThan.getTime();
    let deleted = 0;
    // Every entry is checked: an injected clock need not move forward, so insertion order is not age order.
    for (const [key, entry] of this.records) {
      if (entry.createdAt < cutOff) {
        this.records.delete(key);
        deleted++;
      }
    }
    return deleted;
  }
}

/** Stage and request id never hold a NUL (`checkStorableKey` refuses it), so NUL separates them unambiguously. */
function keyOf(stage: string, requestId: string): string {
  return `${stage}\u0000${requestId}`;
}

/** The record as a caller sees it; the outcome is parsed from its JSON on first read (most callers never read it). */
function materialise(entry: Entry): ProcessedMessage {
  let outcome: unknown;
  let parsed = entry.json === null;
  return {
    stage: entry.stage,
    requestId: entry.requestId,
    get outcome(): unknown {
      if (!parsed) {
        outcome = JSON.parse(entry.json!) as unknown;
        parsed = true;
      }
      return outcome ?? null;
    },
    createdAt: new Date(entry.createdAt),
  };
}
