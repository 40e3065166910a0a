import { BallastError, ERROR_CODES, type Completion } from '#contracts';
import { checkPruneArguments, GroupCommitQueue, hasUnstorableJsonEscape, type GroupCommitOptions, type PruneOptions } from '#persistence';
import type { DataSource } from 'typeorm';
import { cacheSetOptions, checkCacheKey, checkCacheTtl, type CachedAnswer, type CacheScope, type CacheSetOptions, type ExpiringCacheStore } from './cache.store.js';

/** Group-commit limits: see `GroupCommitOptions` (defaults: 4 batches in flight, 500 calls per batch). */
export type PostgresCacheStoreOptions = GroupCommitOptions;

interface GetCall {
  kind: 'get';
  key: string;
  now: Date;
  resolve(found: CachedAnswer | null): void;
  reject(error: unknown): void;
}

interface SetCall {
  kind: 'set';
  key: string;
  json: string;
  scope: CacheScope | undefined;
  createdAt: Date;
  expiresAt: Date;
  resolve(): void;
  reject(error: unknown): void;
}

type Call = GetCall | SetCall;

interface Row {
  key: string;
  completion: Completion;
  expires_at: Date | string;
}

// One round trip per batch: upserts the sets ($3..$10) and reads the gets ($1, $2). The read sees
// the table as it was before the statement; gets made after a set in the same batch are answered
// from that set. Sets are written in key order so concurrent batches lock rows in the same order
// and cannot deadlock.
const BATCH_SQL = `
  WITH written AS (
    INSERT INTO cache_entries (key, tenant_id, prompt_name, prompt_version, model, completion, created_at, expires_at)
    SELECT s.key, s.tenant_id, s.prompt_name, s.prompt_version, s.model, s.completion::jsonb, s.created_at, s.expires_at
    FROM unnest($3::text[], $4::text[], $5::text[], $6::int[], $7::text[], $8::text[], $9::timestamptz[], $10::timestamptz[])
      AS s(key, tenant_id, prompt_name, prompt_version, model, completion, created_at, expires_at)
    ORDER BY s.key
    ON CONFLICT (key) DO UPDATE SET
      tenant_id = EXCLUDED.tenant_id, prompt_name = EXCLUDED.prompt_name, prompt_version = EXCLUDED.prompt_version,
      model = EXCLUDED.model, completion = EXCLUDED.completion, created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
    RETURNING 1
  )
  SELECT key, completion, expires_at FROM cache_entries WHERE key = ANY($1::text[]) AND expires_at > $2::timestamptz`;

const LIVE_SQL = `SELECT key, completion, expires_at FROM cache_entries WHERE expires_at > $1 ORDER BY created_at DESC LIMIT $2`;

// One chunk of a prune. The outer condition is checked again on a row a concurrent refresh just
// replaced, so a refreshed entry is never deleted.
const PRUNE_CHUNK_SQL = `
  WITH deleted AS (
    DELETE FROM cache_entries
    WHERE key IN (SELECT key FROM cache_entries WHERE expires_at <= $1 LIMIT $2) AND expires_at <= $1
    RETURNING 1
  )
  SELECT count(*)::int AS deleted FROM deleted`;

/** An entry as a batch knows it; `read` gives every caller its own copy. */
interface Held {
  expiresAt: Date;
  read(): Completion;
}

function heldRow(row: Row): Held {
  let given = false;
  return {
    expiresAt: new Date(row.expires_at),
    read: () => (given ? structuredClone(row.completion) : ((given = true), row.completion)),
  };
}

function unstorable(what: string): BallastError {
  return new BallastError(ERROR_CODES.internal, `${what} has a NUL character or an unpaired UTF-16 surrogate, which Postgres cannot store; the answer was not cached`);
}

function checkScope(scope: CacheScope | undefined): void {
  if (!scope) return;
  for (const [field, value] of Object.entries(scope)) {
    if (typeof value === 'string' && value.includes('\0')) throw unstorable(`the cache scope's ${field}`);
  }
}

/**
 * Exact-match answers in the `cache_entries` table, shared by every cache replica on the same
 * database and kept across restarts. Concurrent calls are group-committed (`GroupCommitQueue`):
 * one statement per batch whatever its mix of gets and sets. A batch that fails rejects each of its
 * calls with the error; later batches are unaffected. The table has no size bound: TTLs bound it,
 * and `prune(now)` deletes expired rows.
 *
 * @example
 * const shared = new PostgresCacheStore(dataSource, { maxInFlight: 4 });
 * const store = new TieredCacheStore(shared, { lruTtlSeconds: 10, maxEntries: 100_000 });
 * // on shutdown, before dataSource.destroy():
 * await shared.close();
 */
export class PostgresCacheStore implements ExpiringCacheStore {
  private readonly queue: GroupCommitQueue<Call>;
  private closed = false;

  constructor(
    private readonly dataSource: DataSource,
    options: PostgresCacheStoreOptions = {},
  ) {
    this.queue = new GroupCommitQueue((batch) => this.send(batch), options);
  }

  async get(key: string, now = new Date()): Promise<Completion | null> {
    return (await this.getEntry(key, now))?.completion ?? null;
  }

  async getEntry(key: string, now = new Date()): Promise<CachedAnswer | null> {
    checkCacheKey(key);
    this.checkOpen();
    return new Promise((resolve, reject) => this.queue.submit({ kind: 'get', key, now, resolve, reject }));
  }

  async set(key: string, completion: Completion, ttlSeconds: number, options?: CacheSetOptions | Date): Promise<void> {
    checkCacheKey(key);
    checkCacheTtl(ttlSeconds);
    const { now = new Date(), scope } = cacheSetOptions(options);
    checkScope(scope);
    // Checked per call: one refused value would otherwise fail every call of its batch.
    const json = JSON.stringify(completion);
    if (hasUnstorableJsonEscape(json)) throw unstorable('the answer');
    this.checkOpen();
    const expiresAt = new Date(now.getTime() + ttlSeconds * 1000);
    return new Promise((resolve, reject) => this.queue.submit({ kind: 'set', key, json, scope, createdAt: now, expiresAt, resolve, reject }));
  }

  /**
   * Deletes the entries expired at `now` in chunks of `batchSize` rows, one statement each, and
   * returns how many it deleted. Goes straight to the data source, so gets and sets are not held up.
   */
  async prune(now: Date = new Date(), options: PruneOptions = {}): Promise<number> {
    const batchSize = checkPruneArguments(now, options);
    let total = 0;
    while (!options.signal?.aborted) {
      const [{ deleted }] = (await this.dataSource.query(PRUNE_CHUNK_SQL, [now, batchSize])) as [{ deleted: number }];
      total += deleted;
      if (deleted < batchSize) break;
    }
    return total;
  }

  async liveEntries(now: Date, limit: number): Promise<Array<CachedAnswer & { key: string }>> {
    const rows = (await this.dataSource.query(LIVE_SQL, [now, limit])) as Array<{ key: string; completion: Completion; expires_at: Date }>;
    return rows.map((r) => ({ key: r.key, completion: r.completion, expiresAt: new Date(r.expires_at) }));
  }

  /** Refuses new calls and waits for those already made; call before destroying the data source. */
  async close(): Promise<void> {
    this.closed = true;
    await this.queue.idle();
  }

  private checkOpen(): void {
    if (this.closed) throw new BallastError(ERROR_CODES.internal, 'the Postgres cache store is closed (the service is shutting down)');
  }

  /** Settles every call in the batch; never rejects. */
  private async send(batch: Call[]): Promise<void> {
    try {
      const gets = batch.filter((c): c is GetCall => c.kind === 'get');
      // The last set of a key in the batch is the one that stays, as if the sets had run in order.
      const lastSets = new Map<string, SetCall>();
      for (const c of batch) if (c.kind === 'set') lastSets.set(c.key, c);
      const sets = [...lastSets.values()];
      const earliest = gets.reduce((min, c) => (c.now < min ? c.now : min), gets[0]?.now ?? new Date(0));
      const rows = (await this.dataSource.query(BATCH_SQL, [
        gets.map((c) => c.key),
        earliest.toISOString(),
        sets.map((c) => c.key),
        sets.map((c) => c.scope?.tenantId ?? null),
        sets.map((c) => c.scope?.promptName ?? null),
        sets.map((c) => c.scope?.promptVersion ?? null),
        sets.map((c) => c.scope?.model ?? null),
        sets.map((c) => c.json),
        sets.map((c) => c.createdAt.toISOString()),
        sets.map((c) => c.expiresAt.toISOString()),
      ])) as Row[];
      const held = new Map<string, Held>(rows.map((r) => [r.key, heldRow(r)]));

      // Walk the batch in call order: a get sees the sets made before it.
      for (const call of batch) {
        if (call.kind === 'set') {
          held.set(call.key, { expiresAt: call.expiresAt, read: () => JSON.parse(call.json) as Completion });
          call.resolve();
          continue;
        }
        const entry = held.get(call.key);
        call.resolve(entry && entry.expiresAt > call.now ? { completion: entry.read(), expiresAt: entry.expiresAt } : null);
      }
    } catch (error) {
      // Calls already answered ignore this.
      for (const call of batch) call.reject(error);
    }
  }
}
