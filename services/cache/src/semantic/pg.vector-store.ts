import { BallastError, ERROR_CODES, type Completion } from '#contracts';
import { enableVector } from '#persistence';
import type { DataSource } from 'typeorm';
import {
  checkVector,
  collectionName,
  SCOPE_FIELDS,
  scopeFields,
  selectorFields,
  type LivePointsCursor,
  type LoadableVectorStore,
  type ScopeFields,
  type VectorNeighbour,
  type VectorPoint,
  type VectorScope,
  type VectorScopeSelector,
} from './vector.store.js';

interface Row {
  key: string;
  similarity: number | string;
  text: string;
  completion: Completion;
  expires_at: Date | string;
}

type LiveRow = ScopeFields & { key: string; embedding: string; text: string; completion: Completion; expires_at: Date | string; cursor: string };

const literal = (v: Float32Array): string => `[${Array.from(v).join(',')}]`;

/**
 * Semantic cache entries in a pgvector table per embedding space (`ballast_cache_<model>_<dims>`),
 * on real Postgres or PGlite, with an HNSW index (cosine) and a btree index on the scope columns.
 * Created by `ensureCollection`, not by the registry migrations, because plain Postgres may lack
 * the extension. Searches scan the HNSW index iteratively so a narrow scope still finds its neighbours.
 */
export class PgVectorStore implements LoadableVectorStore {
  readonly collection: string;

  constructor(
    private readonly dataSource: DataSource,
    model: string,
    private readonly dimensions: number,
  ) {
    this.collection = collectionName(model, dimensions);
  }

  async ensureCollection(): Promise<void> {
    if (!(await enableVector(this.dataSource))) {
      throw new BallastError(ERROR_CODES.internal, 'the semantic cache needs the pgvector extension (CREATE EXTENSION vector), which this Postgres does not have; install pgvector or use Qdrant (QDRANT_URL)');
    }
    const t = this.collection;
    await this.dataSource.query(`
      CREATE TABLE IF NOT EXISTS ${t} (
        key text PRIMARY KEY,
        ${SCOPE_FIELDS.map((f) => `${f} text NOT NULL`).join(', ')},
        embedding vector(${this.dimensions}) NOT NULL,
        text text NOT NULL,
        completion jsonb NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
    // PLAIN keeps vectors in the row: out-of-line (TOAST) storage costs several page reads per candidate.
    await this.dataSource.query(`ALTER TABLE ${t} ALTER COLUMN embedding SET STORAGE PLAIN`);
    await this.dataSource.query(`CREATE INDEX IF NOT EXISTS ${t}_scope ON ${t} (${SCOPE_FIELDS.join(', ')})`);
    await this.dataSource.query(`CREATE INDEX IF NOT EXISTS ${t}_expires ON ${t} (expires_at)`);
    await this.dataSource.query(`CREATE INDEX IF NOT EXISTS ${t}_hnsw ON ${t} USING hnsw (embedding vector_cosine_ops)`);
  }

  async upsert(points: VectorPoint[]): Promise<void> {
    if (points.length === 0) return;
    const rows = points.map((p) => {
      checkVector(p.vector, this.dimensions);
      return { ...scopeFields(p.scope), key: p.key, embedding: literal(p.vector), text: p.text, completion: JSON.stringify(p.completion), expires_at: p.expiresAt.toISOString() };
    });
    const columns = ['key', ...SCOPE_FIELDS, 'embedding', 'text', 'completion', 'expires_at'] as const;
    const types: Record<string, string> = { embedding: 'text', completion: 'text', expires_at: 'timestamptz' };
    const unnest = columns.map((c, i) => `$${i + 1}::${types[c] ?? 'text'}[]`).join(', ');
    await this.dataSource.query(
      `INSERT INTO ${this.collection} (${columns.join(', ')})
       SELECT key, ${SCOPE_FIELDS.join(', ')}, embedding::vector, text, completion::jsonb, expires_at
       FROM unnest(${unnest}) AS s(${columns.join(', ')})
       ORDER BY key
       ON CONFLICT (key) DO UPDATE SET ${columns.filter((c) => c !== 'key').map((c) => `${c} = EXCLUDED.${c}`).join(', ')}`,
      columns.map((c) => rows.map((r) => r[c])),
    );
  }

  async search(vector: Float32Array, scope: VectorScope, options: { limit?: number; now?: Date } = {}): Promise<VectorNeighbour[]> {
    checkVector(vector, this.dimensions);
    const fields = scopeFields(scope);
    const where = SCOPE_FIELDS.map((f, i) => `${f} = $${i + 2}`).join(' AND ');
    const rows: Row[] = await this.dataSource.transaction(async (m) => {
      await m.query(`SET LOCAL hnsw.iterative_scan = relaxed_order`);
      return m.query(
        `SELECT key, 1 - (embedding <=> $1::vector) AS similarity, text, completion, expires_at FROM ${this.collection}
         WHERE ${where} AND expires_at > $${SCOPE_FIELDS.length + 2} ORDER BY embedding <=> $1::vector LIMIT $${SCOPE_FIELDS.length + 3}`,
        [literal(vector), ...SCOPE_FIELDS.map((f) => fields[f]), (options.now ?? new Date()).toISOString(), options.limit ?? 5],
      );
    });
    return rows
      .map((r) => ({ key: r.key, similarity: Number(r.similarity), text: r.text, completion: r.completion, expiresAt: new Date(r.expires_at) }))
      .sort((a, b) => b.similarity - a.similarity);
  }

  async livePoints(options: { now: Date; limit: number; after?: LivePointsCursor | null; newest?: number }): Promise<{ points: VectorPoint[]; next: LivePointsCursor | null }> {
    const now = options.now.toISOString();
    let skip = 0;
    if (!options.after && options.newest !== undefined) {
      const [count] = (await this.dataSource.query(`SELECT count(*)::int AS n FROM ${this.collection} WHERE expires_at > $1`, [now])) as { n: number }[];
      skip = Math.max(0, (count?.n ?? 0) - options.newest);
    }
    const after = options.after ? `AND (expires_at, key) > ($3::timestamptz, $4)` : '';
    const rows: LiveRow[] = await this.dataSource.query(
      `SELECT key, ${SCOPE_FIELDS.join(', ')}, embedding::text AS embedding, text, completion, expires_at, expires_at::text AS cursor FROM ${this.collection}
       WHERE expires_at > $1 ${after} ORDER BY expires_at, key OFFSET ${skip} LIMIT $2`,
      [now, options.limit, ...(options.after ? [options.after.expiresAt, options.after.key] : [])],
    );
    const points = rows.map((r) => ({
      key: r.key,
      vector: Float32Array.from(JSON.parse(r.embedding) as number[]),
      scope: { tenantId: r.tenant, promptName: r.prompt === '' ? null : r.prompt, promptVersion: r.version === '' ? null : Number(r.version), model: r.model, paramsHash: r.params },
      text: r.text,
      completion: r.completion,
      expiresAt: new Date(r.expires_at),
    }));
    const last = rows.at(-1);
    return { points, next: last && rows.length === options.limit ? { expiresAt: last.cursor, key: last.key } : null };
  }

  async deleteScope(selector: VectorScopeSelector): Promise<number> {
    const fields = Object.entries(selectorFields(selector));
    const rows: { deleted: number }[] = await this.dataSource.query(
      `WITH d AS (DELETE FROM ${this.collection} WHERE ${fields.map(([f], i) => `${f} = $${i + 1}`).join(' AND ')} RETURNING 1) SELECT count(*)::int AS deleted FROM d`,
      fields.map(([, v]) => v),
    );
    return rows[0]?.deleted ?? 0;
  }

  async prune(now = new Date()): Promise<number> {
    const rows: { deleted: number }[] = await this.dataSource.query(
      `WITH d AS (DELETE FROM ${this.collection} WHERE expires_at <= $1 RETURNING 1) SELECT count(*)::int AS deleted FROM d`,
      [now.toISOString()],
    );
    return rows[0]?.deleted ?? 0;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
