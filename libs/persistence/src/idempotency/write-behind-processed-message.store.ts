import type { DataSource } from 'typeorm';
import { InMemoryProcessedMessageStore } from '../testing/in-memory-processed-message.store.js';
import type { ProcessedMessage, ProcessedMessageStore, PruneOptions } from './processed-message.store.js';
import { TypeormProcessedMessageStore } from './typeorm-processed-message.store.js';

export interface WriteBehindLedgerOptions {
  /** Records made before this are not reloaded (the retention's cut-off). */
  since: Date;
  /** Records kept in memory (and reloaded) at most, newest first. Default 200,000. */
  maxEntries?: number;
  /** Told about a record Postgres refused; the record still holds in memory. */
  onWriteError?: (error: unknown) => void;
  /** The clock records are stamped with in memory (tests). */
  now?: () => Date;
  /**
   * Stages whose records are written to Postgres; default every stage. Records of other stages
   * guard only against redelivery within this process (the in-memory bus does not outlive it).
   */
  durableStages?: readonly string[];
}

const LOAD_SQL = `SELECT stage, request_id, outcome, created_at FROM processed_messages WHERE created_at >= $1 ORDER BY created_at DESC LIMIT $2`;
// Insert only: nothing waits for the row, so nothing is read back (no outcome parsed again).
const INSERT_SQL = `
  INSERT INTO processed_messages (stage, request_id, outcome)
  SELECT s, r, o::jsonb FROM unnest($1::text[], $2::text[], $3::text[]) AS t(s, r, o)
  ON CONFLICT (stage, request_id) DO NOTHING`;
const MAX_ROWS_PER_INSERT = 1_000;

/**
 * The ledger of a process that is its only user (embedded mode): every answer comes from memory,
 * and every record is written behind to Postgres (PGlite), from which `open` reloads the records
 * within retention, so request outcomes and replays survive a restart without a database round
 * trip on the request path. Call `flush` before closing the data source.
 *
 * @example const ledger = await WriteBehindProcessedMessageStore.open(dataSource, { since: new Date(Date.now() - retentionMs) });
 */
export class WriteBehindProcessedMessageStore implements ProcessedMessageStore {
  /** Rows waiting for the next insert: stage, request id, outcome JSON. */
  private readonly queued: Array<[string, string, string | null]> = [];
  /** The insert loop, while it runs; one statement is out at a time, so rows queue up into batches. */
  private sending: Promise<void> | null = null;

  private constructor(
    private readonly dataSource: DataSource,
    private readonly memory: InMemoryProcessedMessageStore,
    private readonly durable: ProcessedMessageStore,
    private readonly onWriteError: (error: unknown) => void,
    private readonly durableStages: ReadonlySet<string> | null,
  ) {}

  static async open(dataSource: DataSource, options: WriteBehindLedgerOptions): Promise<WriteBehindProcessedMessageStore> {
    const maxEntries = options.maxEntries ?? 200_000;
    const memory = new InMemoryProcessedMessageStore({ maxEntries, ...(options.now ? { now: options.now } : {}) });
    const durableStages = options.durableStages ? new Set(options.durableStages) : null;
    const rows = (await dataSource.query(LOAD_SQL, [options.since, maxEntries])) as Array<{ stage: string; request_id: string; outcome: unknown; created_at: Date }>;
    memory.restore(rows.reverse().map((r) => ({ stage: r.stage, requestId: r.request_id, outcome: r.outcome, createdAt: new Date(r.created_at) })));
    return new WriteBehindProcessedMessageStore(dataSource, memory, new TypeormProcessedMessageStore(dataSource), options.onWriteError ?? (() => undefined), durableStages);
  }

  async record(stage: string, requestId: string, outcome: unknown): Promise<{ stored: boolean; record: ProcessedMessage }> {
    const result = await this.memory.record(stage, requestId, outcome);
    if (result.stored && (this.durableStages === null || this.durableStages.has(stage))) {
      this.queued.push([stage, requestId, this.memory.outcomeJson(stage, requestId)]);
      this.sending ??= this.send();
    }
    return result;
  }

  find(stage: string, requestId: string): Promise<ProcessedMessage | null> {
    return this.memory.find(stage, requestId);
  }

  async release(stage: string, requestId: string): Promise<boolean> {
    const released = await this.memory.release(stage, requestId);
    await this.flush(); // the record being released may still be waiting for its insert
    await this.durable.release(stage, requestId);
    return released;
  }

  async prune(olderThan: Date, options: PruneOptions = {}): Promise<number> {
    const deleted = await this.memory.prune(olderThan, options);
    await this.durable.prune(olderThan, options);
    return deleted;
  }

  /** Resolves once every record made so far has reached Postgres (or failed to). */
  async flush(): Promise<void> {
    while (this.sending) await this.sending;
  }

  private async send(): Promise<void> {
    await Promise.resolve(); // let the records made in this turn join the first statement
    try {
      while (this.queued.length > 0) {
        const rows = this.queued.splice(0, MAX_ROWS_PER_INSERT);
        await this.dataSource
          .query(INSERT_SQL, [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2])])
          .catch(this.onWriteError);
      }
    } finally {
      this.sending = null;
    }
  }
}
