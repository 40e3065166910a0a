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

  constructor(options: InMemoryProcessedMessageStoreOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.maxEntries = options.maxEntries ?? 200_000;
    if (!Number.isInteger(this.maxEntries) || this.maxEntries < 1) throw new Error(`maxEntries must be a positive integer (got ${options.maxEntries})`);
  }

  async record(stage: string, requestId: string, outcome: unknown): Promise<{ stored: boolean; record: ProcessedMessage }> {
    const json = storableOutcomeJson(stage, requestId, outcome);
    const key = JSON.stringify([stage, requestId]);
    const existing = this.records.get(key);
    if (existing) return { stored: false, record: materialise(existing) };
    const entry: Entry = { stage, requestId, json, createdAt: this.now().getTime() };
    this.records.set(key, entry);
    // A Map iterates in insertion order: the first key is the oldest record.
    if (this.records.size > this.maxEntries) this.records.delete(this.records.keys().next().value!);
    return { stored: true, record: materialise(entry) };
  }

  /** The stored outcome's JSON text (null for none or no record), without parsing it. */
  outcomeJson(stage: string, requestId: string): string | null {
    return this.records.get(JSON.stringify([stage, requestId]))?.json ?? null;
  }

  /** Puts back records kept elsewhere, oldest first, with their own times (a store reloaded at start-up). */
  restore(records: Iterable<ProcessedMessage>): void {
    for (const r of records) {
      const json = storableOutcomeJson(r.stage, r.requestId, r.outcome);
      this.records.set(JSON.stringify([r.stage, r.requestId]), { stage: r.stage, requestId: r.requestId, json, createdAt: r.createdAt.getTime() });
      if (this.records.size > this.maxEntries) this.records.delete(this.records.keys().next().value!);
    }
  }

  async find(stage: string, requestId: string): Promise<ProcessedMessage | null> {
    checkStorableKey(stage, requestId);
    const entry = this.records.get(JSON.stringify([stage, requestId]));
    return entry ? materialise(entry) : null;
  }

  async release(stage: string, requestId: string): Promise<boolean> {
    checkStorableKey(stage, requestId);
    return this.records.delete(JSON.stringify([stage, requestId]));
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

function materialise(entry: Entry): ProcessedMessage {
  return {
    stage: entry.stage,
    requestId: entry.requestId,
    outcome: entry.json === null ? null : (JSON.parse(entry.json) as unknown),
    createdAt: new Date(entry.createdAt),
  };
}
