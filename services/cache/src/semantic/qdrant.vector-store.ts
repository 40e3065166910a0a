import { createHash } from 'node:crypto';
import { QdrantClient } from '@qdrant/js-client-rest';
import type { Completion } from '#contracts';
import {
  checkVector,
  collectionName,
  SCOPE_FIELDS,
  scopeFields,
  selectorFields,
  type ScopeFields,
  type VectorNeighbour,
  type VectorPoint,
  type VectorScope,
  type VectorScopeSelector,
  type VectorStore,
} from './vector.store.js';

export interface QdrantVectorStoreOptions {
  url: string;
  apiKey?: string;
  /** Per request, in ms. Default 2,000. */
  timeoutMs?: number;
}

interface Payload extends ScopeFields {
  key: string;
  text: string;
  completion: Completion;
  /** Epoch milliseconds: range-filtered on search, deleted by the sweeper. */
  expires_at: number;
}

type Condition = { key: string; match: { value: string } } | { key: string; range: { gt?: number; lte?: number } };

/** Qdrant point ids are UUIDs or integers: the key's sha256, shaped as a UUID. */
function pointId(key: string): string {
  const h = createHash('sha256').update(key).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

const equals = (fields: Partial<ScopeFields>): Condition[] => Object.entries(fields).map(([key, value]) => ({ key, match: { value } }));

/**
 * One Qdrant collection per embedding model and size (cosine), with keyword payload indexes on the
 * scope fields and an integer index on `expires_at`. Every search carries the full scope filter
 * and `expires_at > now`; `prune` deletes expired points by filter.
 */
export class QdrantVectorStore implements VectorStore {
  readonly collection: string;
  private readonly client: QdrantClient;

  constructor(
    options: QdrantVectorStoreOptions,
    model: string,
    private readonly dimensions: number,
  ) {
    this.collection = collectionName(model, dimensions);
    this.client = new QdrantClient({
      url: options.url,
      ...(options.apiKey ? { apiKey: options.apiKey } : {}),
      timeout: options.timeoutMs ?? 2000,
      checkCompatibility: false,
    });
  }

  async ensureCollection(): Promise<void> {
    if (!(await this.client.collectionExists(this.collection)).exists) {
      try {
        await this.client.createCollection(this.collection, { vectors: { size: this.dimensions, distance: 'Cosine' } });
      } catch (error) {
        // Another replica created it meanwhile.
        if (!(await this.client.collectionExists(this.collection)).exists) throw error;
      }
    }
    for (const field of SCOPE_FIELDS) await this.client.createPayloadIndex(this.collection, { field_name: field, field_schema: 'keyword', wait: true });
    await this.client.createPayloadIndex(this.collection, { field_name: 'expires_at', field_schema: 'integer', wait: true });
  }

  async upsert(points: VectorPoint[]): Promise<void> {
    if (points.length === 0) return;
    await this.client.upsert(this.collection, {
      wait: true,
      points: points.map((p) => {
        checkVector(p.vector, this.dimensions);
        const payload: Payload = { ...scopeFields(p.scope), key: p.key, text: p.text, completion: p.completion, expires_at: p.expiresAt.getTime() };
        return { id: pointId(p.key), vector: Array.from(p.vector), payload: payload as unknown as Record<string, unknown> };
      }),
    });
  }

  async search(vector: Float32Array, scope: VectorScope, options: { limit?: number; now?: Date } = {}): Promise<VectorNeighbour[]> {
    checkVector(vector, this.dimensions);
    const must = [...equals(scopeFields(scope)), { key: 'expires_at', range: { gt: (options.now ?? new Date()).getTime() } }];
    const { points } = await this.client.query(this.collection, { query: Array.from(vector), filter: { must }, limit: options.limit ?? 5, with_payload: true });
    return points.map((p) => {
      const payload = p.payload as unknown as Payload;
      return { key: payload.key, similarity: p.score, text: payload.text, completion: payload.completion, expiresAt: new Date(payload.expires_at) };
    });
  }

  async deleteScope(selector: VectorScopeSelector): Promise<number> {
    return this.deleteWhere(equals(selectorFields(selector)));
  }

  async prune(now = new Date()): Promise<number> {
    return this.deleteWhere([{ key: 'expires_at', range: { lte: now.getTime() } }]);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Counts, then deletes: the count can miss points written in between. */
  private async deleteWhere(must: Condition[]): Promise<number> {
    const { count } = await this.client.count(this.collection, { filter: { must }, exact: true });
    if (count > 0) await this.client.delete(this.collection, { wait: true, filter: { must } });
    return count;
  }
}
