import { dot } from './embedder.js';
import {
  checkVector,
  collectionName,
  fieldsMatch,
  scopeFields,
  selectorFields,
  type ScopeFields,
  type VectorNeighbour,
  type VectorPoint,
  type VectorScope,
  type VectorScopeSelector,
  type VectorStore,
} from './vector.store.js';

interface Held {
  point: VectorPoint;
  fields: ScopeFields;
}

/** Brute-force cosine search in one process; for unit tests and as the contract's reference. */
export class MemoryVectorStore implements VectorStore {
  readonly collection: string;
  private readonly points = new Map<string, Held>();

  constructor(
    model: string,
    private readonly dimensions: number,
  ) {
    this.collection = collectionName(model, dimensions);
  }

  ensureCollection(): Promise<void> {
    return Promise.resolve();
  }

  async upsert(points: VectorPoint[]): Promise<void> {
    for (const point of points) {
      checkVector(point.vector, this.dimensions);
      this.points.set(point.key, { point: structuredClone(point), fields: scopeFields(point.scope) });
    }
  }

  async search(vector: Float32Array, scope: VectorScope, options: { limit?: number; now?: Date } = {}): Promise<VectorNeighbour[]> {
    checkVector(vector, this.dimensions);
    const wanted = scopeFields(scope);
    const now = (options.now ?? new Date()).getTime();
    const found: VectorNeighbour[] = [];
    for (const { point, fields } of this.points.values()) {
      if (point.expiresAt.getTime() <= now || !fieldsMatch(fields, wanted)) continue;
      found.push({ key: point.key, similarity: dot(vector, point.vector), text: point.text, completion: structuredClone(point.completion), expiresAt: point.expiresAt });
    }
    return found.sort((a, b) => b.similarity - a.similarity).slice(0, options.limit ?? 5);
  }

  async deleteScope(selector: VectorScopeSelector): Promise<number> {
    const wanted = selectorFields(selector);
    let deleted = 0;
    for (const [key, { fields }] of this.points) if (fieldsMatch(fields, wanted) && this.points.delete(key)) deleted += 1;
    return deleted;
  }

  prune(now = new Date()): Promise<number> {
    let deleted = 0;
    for (const [key, { point }] of this.points) if (point.expiresAt <= now && this.points.delete(key)) deleted += 1;
    return Promise.resolve(deleted);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
