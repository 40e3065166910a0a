import type { DataSource } from 'typeorm';
import type { SemanticCache } from '../semantic/semantic-cache.js';
import type { CacheStore } from './cache.store.js';
import { MemoryCacheStore } from './memory.cache-store.js';
import { TieredCacheStore } from './tiered.cache-store.js';

/** Which exact-match entries a purge deletes: a prompt (optionally one version), optionally one tenant's. */
export interface CachePurgeSelector {
  promptName: string;
  promptVersion?: number;
  tenantId?: string;
}

export interface CacheScopeStats {
  tenantId: string | null;
  promptName: string | null;
  promptVersion: number | null;
  entries: number;
  /** Stored size of the answers (jsonb), in bytes. */
  bytes: number;
}

/** Deletes the `cache_entries` rows of the selected scope, expired or not; returns how many. */
export async function purgeExactEntries(dataSource: DataSource, selector: CachePurgeSelector): Promise<number> {
  const rows: { deleted: number }[] = await dataSource.query(
    `WITH d AS (
       DELETE FROM cache_entries
       WHERE prompt_name = $1 AND ($2::int IS NULL OR prompt_version = $2) AND ($3::text IS NULL OR tenant_id = $3)
       RETURNING 1)
     SELECT count(*)::int AS deleted FROM d`,
    [selector.promptName, selector.promptVersion ?? null, selector.tenantId ?? null],
  );
  return rows[0]?.deleted ?? 0;
}

/** Live (unexpired) exact-match entries and their size per tenant, prompt and version, largest first. */
export async function exactCacheStats(dataSource: DataSource, now = new Date()): Promise<CacheScopeStats[]> {
  const rows: { tenant_id: string | null; prompt_name: string | null; prompt_version: number | null; entries: number; bytes: string | number }[] = await dataSource.query(
    `SELECT tenant_id, prompt_name, prompt_version, count(*)::int AS entries, coalesce(sum(pg_column_size(completion)), 0)::bigint AS bytes
     FROM cache_entries WHERE expires_at > $1
     GROUP BY tenant_id, prompt_name, prompt_version ORDER BY entries DESC, tenant_id, prompt_name, prompt_version`,
    [now.toISOString()],
  );
  return rows.map((r) => ({ tenantId: r.tenant_id, promptName: r.prompt_name, promptVersion: r.prompt_version, entries: r.entries, bytes: Number(r.bytes) }));
}

/** What a purge deleted: exact-match rows, and semantic entries (null: no semantic layer). */
export interface CachePurgeResult {
  exact: number;
  semantic: number | null;
}

/** The stores a purge reaches: the shared table, this process's exact store in front of it, the semantic layer. */
export interface CachePurgeTarget {
  dataSource: DataSource | null | undefined;
  store?: CacheStore;
  semantic: SemanticCache | null | undefined;
}

/**
 * Deletes the selected scope from both layers, expired or not: `cache_entries` (and this process's
 * copies of it), then the semantic store. The CLI and the cache stage's admin handler both call it.
 */
export async function purgeCache(target: CachePurgeTarget, selector: CachePurgeSelector): Promise<CachePurgeResult> {
  const { dataSource, store } = target;
  if (store instanceof TieredCacheStore && !dataSource) throw new Error('a purge of a shared cache store needs its database');
  let exact: number;
  if (store instanceof MemoryCacheStore) exact = store.purge(selector); // no database: this process holds the only copy
  else if (store instanceof TieredCacheStore) exact = await store.purge(() => purgeExactEntries(dataSource!, selector));
  else exact = dataSource ? await purgeExactEntries(dataSource, selector) : 0;
  const semantic = target.semantic ? await target.semantic.purge(selector) : null;
  return { exact, semantic };
}
