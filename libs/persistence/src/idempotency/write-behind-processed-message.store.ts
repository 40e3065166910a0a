import type { DataSource } from 'typeorm';
import { InMemoryProcessedMessageStore } from '../testing/in-memory-processed-message.store.js';
import type { ProcessedMessage, ProcessedMessageStore, PruneOptions } from './processed-message.store.js';
import { EvictedKeysFilter } from './evicted-keys.filter.js';
import { hasUnstorableJsonEscape } from './storable-outcome.js';
import { TypeormProcessedMessageStore } from './typeorm-processed-message.store.js';

export interface WriteBehindLedgerOptions {
  /** Records made before this are not reloaded (the retention's cut-off). */
  since: Date;
  /**
   * Records kept in memory (and reloaded with their outcomes) at most, newest first. Default 20,000.
   * A record of a durable stage that leaves memory is still found: its key goes into a fixed-size
   * filter, and a look-up the filter cannot rule out reads Postgres.
   */
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
  /**
   * How long a record waits for others to join its insert, in milliseconds. PGlite runs on the
   * stages' own event loop, and each statement has a fixed cost: hundreds of rows per statement
   * cost far less per row than a few. A full batch (1,000 rows) is sent at once. Default 100.
   */
  batchDelayMs?: number;
}

const LOAD_SQL = `SELECT stage, request_id, outcome, created_at FROM processed_messages WHERE created_at >= $1 ORDER BY created_at DESC, stage, request_id LIMIT $2`;
/** The keys within retention that do not fit in memory (one order for both queries: rows of one batch share a time): they go into the filter only. */
const OLDER_KEYS_SQL = `SELECT stage, request_id FROM processed_messages WHERE created_at >= $1 ORDER BY created_at DESC, stage, request_id OFFSET $2`;
// Insert only: nothing waits for the row, so nothing is read back (no outcome parsed again). The
// rows travel as one JSON array of [stage, request id, outcome] built from the outcome JSON the
// memory already holds: no per-row array-literal escaping on the way in, one jsonb parse in Postgres.
const INSERT_SQL = `
  INSERT INTO processed_messages (stage, request_id, outcome)
  SELECT r->>0, r->>1, NULLIF(r->2, 'null'::jsonb) FROM jsonb_array_elements($1::jsonb) AS r
  ON CONFLICT (stage, request_id) DO NOTHING`;
const MAX_ROWS_PER_INSERT = 1_000;
export const DEFAULT_WRITE_BEHIND_DELAY_MS = 100;

/**
 * The ledger of a process that is its only user (embedded mode): every answer comes from memory,
 * and every record is written behind to Postgres (PGlite), from which `open` reloads the records
 * within retention, so request outcomes and replays survive a restart without a database round
 * trip on the request path. Records are gathered for `batchDelayMs` into multi-row inserts, one
 * statement out at a time. Call `flush` before closing the data source.
 *
 * @example const ledger = await WriteBehindProcessedMessageStore.open(dataSource, { since: new Date(Date.now() - retentionMs) });
 */
export class WriteBehindProcessedMessageStore implements ProcessedMessageStore {
  /** Rows waiting for the next insert, each `[stage, request id, outcome JSON or null]` as JSON text. */
  private rows: string[] = [];
  /** Set while a batch is gathering. */
  private timer: NodeJS.Timeout | null = null;
  /** The insert under way; one statement is out at a time. */
  private sending: Promise<void> | null = null;

  private readonly memory: InMemoryProcessedMessageStore;
  /** Keys of durable records that left memory: Postgres has them. */
  private readonly evicted = new EvictedKeysFilter();

  private constructor(
    private readonly dataSource: DataSource,
    maxEntries: number,
    now: (() => Date) | undefined,
    private readonly durable: ProcessedMessageStore,
    private readonly onWriteError: (error: unknown) => void,
    private readonly durableStages: ReadonlySet<string> | null,
    private readonly batchDelayMs: number,
  ) {
    this.memory = new InMemoryProcessedMessageStore({
      maxEntries,
      ...(now ? { now } : {}),
      onEvict: (stage, requestId) => {
        if (this.isDurable(stage)) this.evicted.add(filterKey(stage, requestId));
      },
    });
  }

  static async open(dataSource: DataSource, options: WriteBehindLedgerOptions): Promise<WriteBehindProcessedMessageStore> {
    const maxEntries = options.maxEntries ?? 20_000;
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError(`maxEntries must be a positive integer (got ${maxEntries})`);
    const batchDelayMs = options.batchDelayMs ?? DEFAULT_WRITE_BEHIND_DELAY_MS;
    if (!Number.isFinite(batchDelayMs) || batchDelayMs < 0) throw new RangeError(`batchDelayMs must be a non-negative number of milliseconds (got ${batchDelayMs})`);
    const durableStages = options.durableStages ? new Set(options.durableStages) : null;
    const store = new WriteBehindProcessedMessageStore(
      dataSource,
      maxEntries,
      options.now,
      new TypeormProcessedMessageStore(dataSource),
      options.onWriteError ?? (() => undefined),
      durableStages,
      batchDelayMs,
    );
    const older = (await dataSource.query(OLDER_KEYS_SQL, [options.since, maxEntries])) as Array<{ stage: string; request_id: string }>;
    for (const r of older) store.evicted.add(filterKey(r.stage, r.request_id));
    const rows = (await dataSource.query(LOAD_SQL, [options.since, maxEntries])) as Array<{ stage: string; request_id: string; outcome: unknown; created_at: Date }>;
    store.memory.restore(rows.reverse().map((r) => ({ stage: r.stage, requestId: r.request_id, outcome: r.outcome, createdAt: new Date(r.created_at) })));
    return store;
  }

  record(stage: string, requestId: string, outcome: unknown): Promise<{ stored: boolean; record: ProcessedMessage }> {
    if (this.mayBeOnlyInPostgres(stage, requestId)) return this.recordAfterLookUp(stage, requestId, outcome);
    return this.recordInMemory(stage, requestId, outcome);
  }

  find(stage: string, requestId: string): Promise<ProcessedMessage | null> {
    if (this.mayBeOnlyInPostgres(stage, requestId)) return this.findInPostgres(stage, requestId);
    return this.memory.find(stage, requestId);
  }

  /** A durable record not in memory that the filter cannot rule out: it may have left memory earlier. */
  private mayBeOnlyInPostgres(stage: string, requestId: string): boolean {
    return this.isDurable(stage) && !this.memory.holds(stage, requestId) && this.evicted.mightHold(filterKey(stage, requestId));
  }

  private async findInPostgres(stage: string, requestId: string): Promise<ProcessedMessage | null> {
    await this.flush(); // an evicted record may still be waiting for its insert
    return this.durable.find(stage, requestId);
  }

  private async recordAfterLookUp(stage: string, requestId: string, outcome: unknown): Promise<{ stored: boolean; record: ProcessedMessage }> {
    const existing = await this.findInPostgres(stage, requestId);
    if (existing) return { stored: false, record: existing };
    return this.recordInMemory(stage, requestId, outcome);
  }

  private isDurable(stage: string): boolean {
    return this.durableStages === null || this.durableStages.has(stage);
  }

  private recordInMemory(stage: string, requestId: string, outcome: unknown): Promise<{ stored: boolean; record: ProcessedMessage }> {
    try {
      const { stored, record, json } = this.memory.recordJson(stage, requestId, outcome);
      if (stored && this.isDurable(stage)) {
        this.rows.push(`[${jsonString(stage)},${jsonString(requestId)},${json ?? 'null'}]`);
        this.schedule();
      }
      return Promise.resolve({ stored, record });
    } catch (error) {
      return Promise.reject(error as Error);
    }
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

  /** Sends what is gathering now and resolves once every record made so far has reached Postgres (or failed to). */
  async flush(): Promise<void> {
    while (this.sending || this.rows.length > 0) {
      this.stopTimer();
      this.sending ??= this.send();
      await this.sending;
    }
  }

  /** Rows waiting for their insert (tests, diagnostics). */
  get pending(): number {
    return this.rows.length;
  }

  /** Starts gathering a batch, or sends a full one now; while a statement is out, it schedules the next when done. */
  private schedule(): void {
    if (this.sending) return;
    if (this.rows.length >= MAX_ROWS_PER_INSERT) {
      this.stopTimer();
      this.sending = this.send();
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.sending ??= this.send();
      }, this.batchDelayMs);
      // A gathering batch does not keep the process alive; stopping calls flush.
      this.timer.unref();
    }
  }

  private stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** One statement of up to MAX_ROWS_PER_INSERT rows; what is left (or arrives meanwhile) gathers again. */
  private async send(): Promise<void> {
    let rows = this.rows;
    if (rows.length > MAX_ROWS_PER_INSERT) rows = this.rows.splice(0, MAX_ROWS_PER_INSERT);
    else this.rows = [];
    try {
      await this.dataSource.query(INSERT_SQL, [`[${rows.join(',')}]`]).catch(this.onWriteError);
    } finally {
      this.sending = null;
      if (this.rows.length > 0) this.schedule();
    }
  }
}

/**
 * A key as a JSON string jsonb accepts. A lone UTF-16 surrogate would be escaped as `\udXXX`,
 * which jsonb refuses (failing the whole batch); it becomes U+FFFD, as the driver's UTF-8 encoding
 * of a text parameter makes it.
 */
function jsonString(value: string): string {
  const text = JSON.stringify(value);
  return text.includes('\\u') && hasUnstorableJsonEscape(text) ? JSON.stringify(Buffer.from(value, 'utf8').toString('utf8')) : text;
}

function filterKey(stage: string, requestId: string): string {
  return `${stage}\u0000${requestId}`;
}
