import { z } from 'zod';
import { BallastError, ERROR_CODES } from '#contracts';
import { readCacheDataFile } from './data-file.js';
import { normalize, type Embedder } from './embedder.js';
import { stemOf, wordsOf } from './text-terms.js';

export const IdfTable = z.object({
  documents: z.number().int().positive(),
  unseenIdf: z.number().positive(),
  idf: z.record(z.string(), z.number().positive()),
});
export type IdfTable = z.infer<typeof IdfTable>;

/** The IDF table shipped in `services/cache/data/embedder-idf.json` (built by `tools/build-embedder-idf.ts`). */
export function loadIdfTable(name = 'embedder-idf.json'): IdfTable {
  const parsed = IdfTable.safeParse(readCacheDataFile(name));
  if (!parsed.success) throw new BallastError(ERROR_CODES.internal, `services/cache/data/${name} is not an IDF table: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

export interface LocalEmbedderOptions {
  dimensions?: number;
  idf?: IdfTable;
  /** Weight of a word pair relative to its words (order-aware signal). */
  bigramWeight?: number;
  /** Weight of a word's character trigrams relative to the word (spelling and inflection). */
  trigramWeight?: number;
}

export const LOCAL_EMBEDDER_MODEL = 'ballast-local-ngram-v1';

/**
 * A deterministic embedder with no model weights: stemmed words weighted by IDF, word pairs and
 * character trigrams, hashed (signed) into `dimensions` buckets. It matches rewordings that share
 * rare words (reordering, inflection, typos, added filler); it cannot match synonyms or
 * paraphrases with no words in common, and it rates a question and its reverse as near-identical,
 * which is why semantic hits also go through `HitVerifier`.
 */
export class LocalEmbedder implements Embedder {
  readonly model = LOCAL_EMBEDDER_MODEL;
  readonly dimensions: number;
  private readonly idf: Map<string, number>;
  private readonly unseenIdf: number;
  private readonly bigramWeight: number;
  private readonly trigramWeight: number;

  constructor(options: LocalEmbedderOptions = {}) {
    this.dimensions = options.dimensions ?? 512;
    const table = options.idf ?? loadIdfTable();
    // A Map, so words like "constructor" are not looked up on Object.prototype.
    this.idf = new Map(Object.entries(table.idf));
    this.unseenIdf = table.unseenIdf;
    this.bigramWeight = options.bigramWeight ?? 0.5;
    this.trigramWeight = options.trigramWeight ?? 0.3;
  }

  embed(texts: string[]): Promise<Float32Array[]> {
    return Promise.resolve(texts.map((t) => this.embedOne(t)));
  }

  embedOne(text: string): Float32Array {
    const v = new Float32Array(this.dimensions);
    const words = wordsOf(text);
    const stems = words.map(stemOf);
    const weights = stems.map((s) => this.idf.get(s) ?? this.unseenIdf);
    stems.forEach((stem, i) => {
      const w = weights[i]!;
      this.add(v, `w:${stem}`, w);
      const grams = trigrams(words[i]!);
      for (const g of grams) this.add(v, `c:${g}`, (w * this.trigramWeight) / grams.length);
      if (i > 0) this.add(v, `b:${stems[i - 1]} ${stem}`, ((weights[i - 1]! + w) / 2) * this.bigramWeight);
    });
    return normalize(v);
  }

  private add(v: Float32Array, feature: string, weight: number): void {
    const h = fnv1a(feature);
    v[h % this.dimensions]! += h & 0x80000000 ? -weight : weight;
  }
}

function trigrams(word: string): string[] {
  const padded = `#${word}#`;
  if (padded.length <= 3) return [padded];
  const out: string[] = [];
  for (let i = 0; i + 3 <= padded.length; i += 1) out.push(padded.slice(i, i + 3));
  return out;
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i += 1) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
