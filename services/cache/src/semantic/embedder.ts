/** Whose request an embedding is for, so a paid embedding call can be reported as that request's usage. */
export interface EmbedContext {
  requestId: string;
  tenantId: string;
  promptName: string | null;
  promptVersion: number | null;
}

export interface EmbedOptions {
  signal?: AbortSignal;
  context?: EmbedContext;
}

/**
 * Turns texts into unit-length vectors whose dot product is their cosine similarity. `model` and
 * `dimensions` name the vector space: vectors from different models are never compared.
 */
export interface Embedder {
  readonly model: string;
  readonly dimensions: number;
  embed(texts: string[], options?: EmbedOptions): Promise<Float32Array[]>;
}

/** Scales `v` to unit length in place (a zero vector stays zero); returns it. */
export function normalize(v: Float32Array): Float32Array {
  let sum = 0;
  for (const x of v) sum += x * x;
  if (sum > 0) {
    const scale = 1 / Math.sqrt(sum);
    for (let i = 0; i < v.length; i += 1) v[i]! *= scale;
  }
  return v;
}

/** Cosine similarity of two unit vectors. */
export function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i += 1) sum += a[i]! * b[i]!;
  return sum;
}

/**
 * Keeps the embeddings of recently seen texts in process (least recently used dropped first), so a
 * repeated question, or the store after a look-up of the same text, costs no second embedding.
 */
export class CachedEmbedder implements Embedder {
  private readonly seen = new Map<string, Float32Array>();

  constructor(
    private readonly inner: Embedder,
    private readonly maxEntries = 10_000,
  ) {}

  get model(): string {
    return this.inner.model;
  }

  get dimensions(): number {
    return this.inner.dimensions;
  }

  async embed(texts: string[], options?: EmbedOptions): Promise<Float32Array[]> {
    const found = new Map<string, Float32Array>();
    for (const text of texts) {
      const v = this.seen.get(text);
      if (v) found.set(text, v);
    }
    const missing = [...new Set(texts.filter((t) => !found.has(t)))];
    if (missing.length > 0) {
      const vectors = await this.inner.embed(missing, options);
      missing.forEach((text, i) => found.set(text, vectors[i]!));
    }
    // Touch in request order so the most recently asked stay; a batch larger than the cache still answers whole.
    for (const [text, v] of found) {
      this.seen.delete(text);
      this.seen.set(text, v);
      if (this.seen.size > this.maxEntries) this.seen.delete(this.seen.keys().next().value!);
    }
    return texts.map((text) => found.get(text)!);
  }
}
