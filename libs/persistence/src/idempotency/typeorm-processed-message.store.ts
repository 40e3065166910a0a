import { TransientError } from '#contracts';
import type { DataSource } from 'typeorm';
import { GroupCommitQueue, type GroupCommitOptions } from '../batching/group-commit.queue.js';
import type { ProcessedMessage, ProcessedMessageStore, PruneOptions } from './processed-message.store.js';
import { checkPruneArguments } from './prune-arguments.js';
import { checkStorableKey, storableOutcomeJson } from './storable-outcome.js';

export type TypeormProcessedMessageStoreOptions = GroupCommitOptions;

type RecordResult = { stored: boolean; record: ProcessedMessage };

interface FindCall {
  kind: 'find';
  stage: string;
  requestId: string;
  resolve(found: ProcessedMessage | null): void;
  reject(error: unknown): void;
}

interface RecordCall {
  kind: 'record';
  stage: string;
  requestId: string;
  outcome: unknown;
  json: string | null;
  resolve(result: RecordResult): void;
  reject(error: unknown): void;
}

type Call = FindCall | RecordCall;

interface Row {
  inserted: boolean;
  stage: string;
  request_id: string;
  outcome: unknown;
  created_at: Date | string;
}

// One round trip per batch: inserts the records ($3..$5) and reads the finds ($1, $2). The read
// sees the table as it was before the statement, so pairs the insert skipped are read afterwards.
// Arrays keep it at five parameters however large the batch.
const BATCH_SQL = `
  WITH inserted AS (
    INSERT INTO processed_messages (stage, request_id, outcome)
    SELECT r.stage, r.request_id, r.outcome::jsonb
    FROM unnest($3::text[], $4::text[], $5::text[]) AS r(stage, request_id, outcome)
    ON CONFLICT (stage, request_id) DO NOTHING
    RETURNING stage, request_id, created_at
  )
  SELECT true AS inserted, stage, request_id, NULL::jsonb AS outcome, created_at FROM inserted
  UNION ALL
  SELECT false, stage, request_id, outcome, created_at FROM processed_messages
  WHERE (stage, request_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`;

// One chunk of a prune: at most $2 old rows, deleted by their physical address (a TID scan).
// Rows are never updated, so an address found here still holds the row found.
const PRUNE_CHUNK_SQL = `
  WITH deleted AS (
    DELETE FROM processed_messages
    WHERE ctid = ANY(ARRAY(SELECT ctid FROM processed_messages WHERE created_at < $1 LIMIT $2))
    RETURNING 1
  )
  SELECT count(*)::int AS deleted FROM deleted`;

const RELEASE_SQL = `
  WITH deleted AS (DELETE FROM processed_messages WHERE stage = $1 AND request_id = $2 RETURNING 1)
  SELECT count(*)::int AS deleted FROM deleted`;

const keyOf = (stage: string, requestId: string): string => JSON.stringify([stage, requestId]);

/** Calls by pair, in the order they were made. */
function group<C extends Call>(calls: C[]): Map<string, [C, ...C[]]> {
  const byKey = new Map<string, [C, ...C[]]>();
  for (const call of calls) {
    const key = keyOf(call.stage, call.requestId);
    const same = byKey.get(key);
    if (same) same.push(call);
    else byKey.set(key, [call]);
  }
  return byKey;
}

function toRecord(row: Row): ProcessedMessage {
  return { stage: row.stage, requestId: row.request_id, outcome: row.outcome, createdAt: new Date(row.created_at) };
}

/** Answers every caller asking about one pair, each with its own copy. */
function answerAll<T>(calls: { resolve(value: T): void }[], answer: T): void {
  calls.forEach((c, i) => c.resolve(i === 0 ? answer : structuredClone(answer)));
}

/**
 * Idempotency records in Postgres. Concurrent calls are group-committed: while fewer than
 * `maxInFlight` batches are out a call is sent at once; otherwise it waits, and the next free slot
 * sends every waiting call (up to `maxBatchSize`) as one statement. A batch that fails rejects each
 * of its calls with the error; later batches are unaffected.
 *
 * @example const ledger = new TypeormProcessedMessageStore(dataSource, { maxInFlight: 2 });
 */
export class TypeormProcessedMessageStore implements ProcessedMessageStore {
  private readonly queue: GroupCommitQueue<Call>;

  constructor(
    private readonly dataSource: DataSource,
    options: TypeormProcessedMessageStoreOptions = {},
  ) {
    this.queue = new GroupCommitQueue((batch) => this.send(batch), options);
  }

  async record(stage: string, requestId: string, outcome: unknown): Promise<RecordResult> {
    const json = storableOutcomeJson(stage, requestId, outcome);
    return new Promise((resolve, reject) => this.queue.submit({ kind: 'record', stage, requestId, outcome, json, resolve, reject }));
  }

  async find(stage: string, requestId: string): Promise<ProcessedMessage | null> {
    checkStorableKey(stage, requestId);
    return new Promise((resolve, reject) => this.queue.submit({ kind: 'find', stage, requestId, resolve, reject }));
  }

  /** Straight to the data source: a release follows its own record, which has been answered (so written) by then. */
  async release(stage: string, requestId: string): Promise<boolean> {
    checkStorableKey(stage, requestId);
    const rows = (await this.dataSource.query(RELEASE_SQL, [stage, requestId])) as Array<{ deleted: number }>;
    return (rows[0]?.deleted ?? 0) > 0;
  }

  /**
   * Deletes in chunks of `batchSize` rows, one statement each, until a chunk finds fewer. Goes
   * straight to the data source rather than through the batches, so records and finds made
   * meanwhile are not held up.
   */
  async prune(olderThan: Date, options: PruneOptions = {}): Promise<number> {
    const batchSize = checkPruneArguments(olderThan, options);
    let total = 0;
    while (!options.signal?.aborted) {
      const [{ deleted }] = (await this.dataSource.query(PRUNE_CHUNK_SQL, [olderThan, batchSize])) as [{ deleted: number }];
      total += deleted;
      if (deleted < batchSize) break;
    }
    return total;
  }

  /** Settles every call in the batch; never rejects. */
  private async send(batch: Call[]): Promise<void> {
    try {
      const finds = group(batch.filter((c): c is FindCall => c.kind === 'find'));
      // The first call for a pair is the one that writes; later ones in the batch are its duplicates.
      const records = group(batch.filter((c): c is RecordCall => c.kind === 'record'));
      const rows = await this.query(
        [...finds.values()].map(([c]) => c),
        [...records.values()].map(([c]) => c),
      );
      const found = new Map<string, Row>();
      const inserted = new Map<string, Row>();
      for (const row of rows) (row.inserted ? inserted : found).set(keyOf(row.stage, row.request_id), row);

      for (const [key, calls] of finds) {
        const row = found.get(key);
        answerAll(calls, row ? toRecord(row) : null);
      }
      const skipped = new Map<string, [RecordCall, ...RecordCall[]]>();
      for (const [key, calls] of records) {
        const row = inserted.get(key);
        if (!row) {
          skipped.set(key, calls);
          continue;
        }
        const [first, ...duplicates] = calls;
        const record = { stage: first.stage, requestId: first.requestId, outcome: first.outcome ?? null, createdAt: new Date(row.created_at) };
        first.resolve({ stored: true, record });
        if (duplicates.length === 0) continue;
        const theirs = { ...record, outcome: first.json === null ? null : JSON.parse(first.json), createdAt: new Date(row.created_at) };
        answerAll(duplicates, { stored: false, record: theirs });
      }
      if (skipped.size === 0) return;

      // Someone was first: answer with what they stored.
      const rowsOfOthers = await this.query([...skipped.values()].map(([c]) => c), []);
      const theirs = new Map(rowsOfOthers.map((row) => [keyOf(row.stage, row.request_id), row]));
      for (const [key, calls] of skipped) {
        const row = theirs.get(key);
        if (row) answerAll(calls, { stored: false, record: toRecord(row) });
        else {
          const gone = new TransientError(`${calls[0].stage}/${calls[0].requestId} was deleted while being recorded; record it again`);
          calls.forEach((c) => c.reject(gone));
        }
      }
    } catch (error) {
      // Calls already answered ignore this.
      for (const call of batch) call.reject(error);
    }
  }

  private query(finds: { stage: string; requestId: string }[], records: RecordCall[]): Promise<Row[]> {
    return this.dataSource.query(BATCH_SQL, [
      finds.map((c) => c.stage),
      finds.map((c) => c.requestId),
      records.map((c) => c.stage),
      records.map((c) => c.requestId),
      records.map((c) => c.json),
    ]);
  }
}
