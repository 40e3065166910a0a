import { BallastError, ERROR_CODES, type Completion } from '#contracts';

/**
 * Who may see an entry. Every field is part of the hard filter of every search: a neighbour from
 * another tenant, prompt name or version, model or set of answer-changing parameters is never
 * returned, however similar. `tenantId` is required by type and checked non-empty at run time.
 */
export interface VectorScope {
  tenantId: string;
  promptName: string | null;
  promptVersion: number | null;
  model: string;
  /** Hash of the parameters that change the answer (temperature, max tokens, response format, system prompt). */
  paramsHash: string;
}

/** Selects entries to delete: a tenant, a prompt (optionally one version), a model, or a combination. */
export type VectorScopeSelector = Partial<Omit<VectorScope, 'promptName'>> & { promptName?: string };

export interface VectorPoint {
  /** The exact-match key of the request: a second upsert of it (a `refresh`) replaces the first. */
  key: string;
  vector: Float32Array;
  scope: VectorScope;
  /** The embedded text, kept so a hit can be verified against the new question. */
  text: string;
  completion: Completion;
  expiresAt: Date;
}

export interface VectorNeighbour {
  key: string;
  /** Cosine similarity to the query, 1 for the same direction. */
  similarity: number;
  text: string;
  completion: Completion;
  expiresAt: Date;
}

/**
 * Nearest answered questions within one scope. Adapters: `MemoryVectorStore` (brute force, tests),
 * `PgVectorStore` (pgvector on Postgres or PGlite, HNSW), `QdrantVectorStore`.
 * One contract suite (`test/vector-store.contract.ts`) runs against all of them.
 */
export interface VectorStore {
  /** The embedding space this store holds: vectors of another model or size are refused. */
  readonly collection: string;
  /** Creates the collection or table and its indexes if missing; idempotent. */
  ensureCollection(): Promise<void>;
  upsert(points: VectorPoint[]): Promise<void>;
  /** At most `limit` neighbours within `scope` that have not expired at `now`, most similar first. */
  search(vector: Float32Array, scope: VectorScope, options?: { limit?: number; now?: Date }): Promise<VectorNeighbour[]>;
  /** Deletes every entry the selector matches; returns how many when the backend says. */
  deleteScope(selector: VectorScopeSelector): Promise<number | null>;
  /** Deletes the entries expired at `now`; returns how many when the backend says. */
  prune(now?: Date): Promise<number | null>;
  close(): Promise<void>;
}

/** Where a page of `livePoints` ends; pass it back as `after` for the next page. */
export interface LivePointsCursor {
  expiresAt: string;
  key: string;
}

/** A store whose live entries can be read back in pages (to fill an in-memory index at start). */
export interface LoadableVectorStore extends VectorStore {
  /**
   * Live entries at `now`, soonest to expire first; the first page skips all but the `newest` that
   * expire last (when given).
   */
  livePoints(options: { now: Date; limit: number; after?: LivePointsCursor | null; newest?: number }): Promise<{ points: VectorPoint[]; next: LivePointsCursor | null }>;
}

/** The scope as the flat payload fields every adapter filters on. */
export type ScopeFields = Record<(typeof SCOPE_FIELDS)[number], string>;
export const SCOPE_FIELDS = ['tenant', 'prompt', 'version', 'model', 'params'] as const;

/**
 * The one place a scope becomes filter conditions. Every field is always present (null becomes
 * ''), so a search can never widen to other prompts, versions or models by leaving a field out.
 */
export function scopeFields(scope: VectorScope): ScopeFields {
  if (typeof scope.tenantId !== 'string' || scope.tenantId.length === 0) {
    throw new BallastError(ERROR_CODES.internal, 'a semantic cache search or write needs a tenant; none was given');
  }
  return {
    tenant: scope.tenantId,
    prompt: scope.promptName ?? '',
    version: scope.promptVersion === null ? '' : String(scope.promptVersion),
    model: scope.model,
    params: scope.paramsHash,
  };
}

/** One string per scope (every field, in order): entries under the same key share a scope exactly. */
export function scopeKey(scope: VectorScope): string {
  const fields = scopeFields(scope);
  return JSON.stringify(SCOPE_FIELDS.map((f) => fields[f]));
}

/** Whether a scope's fields meet every condition of a delete selector's fields. */
export function fieldsMatch(fields: ScopeFields, wanted: Partial<ScopeFields>): boolean {
  return Object.entries(wanted).every(([k, v]) => fields[k as keyof ScopeFields] === v);
}

/** The conditions of a delete selector; refuses an empty one (it would delete everything). */
export function selectorFields(selector: VectorScopeSelector): Partial<ScopeFields> {
  const fields: Partial<ScopeFields> = {};
  if (selector.tenantId !== undefined) fields.tenant = selector.tenantId;
  if (selector.promptName !== undefined) fields.prompt = selector.promptName;
  if (selector.promptVersion !== undefined && selector.promptVersion !== null) fields.version = String(selector.promptVersion);
  if (selector.model !== undefined) fields.model = selector.model;
  if (selector.paramsHash !== undefined) fields.params = selector.paramsHash;
  if (Object.keys(fields).length === 0) {
    throw new BallastError(ERROR_CODES.invalidRequest, 'a cache purge needs a tenant, a prompt, a version or a model; an empty selector would delete everything');
  }
  return fields;
}

/** A collection name for an embedding space: lower-case letters, digits and underscores only. */
export function collectionName(model: string, dimensions: number): string {
  return `ballast_cache_${model.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '').slice(0, 40)}_${dimensions}`;
}

export function checkVector(vector: Float32Array, dimensions: number): void {
  if (vector.length !== dimensions) {
    throw new BallastError(ERROR_CODES.internal, `a vector of ${vector.length} dimensions cannot go into a collection of ${dimensions}`);
  }
}
