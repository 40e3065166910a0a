import { createHash } from 'node:crypto';
import { dot, type Embedder } from './embedder.js';
import type { HitVerifier } from './hit.verifier.js';
import { wordsOf } from './text-terms.js';

/** A labelled question pair: would serving `b`'s answer for `a` be right? */
export interface LabelledPair {
  a: string;
  b: string;
  duplicate: boolean;
}

export interface ScoredPair {
  similarity: number;
  duplicate: boolean;
  /** Whether the verifier lets the pair through (null when no verifier was given). */
  verified: boolean | null;
}

export interface ThresholdRow {
  threshold: number;
  /** Of the pairs served (above the threshold and verified), the share that were duplicates. */
  precision: number;
  /** Of the duplicates, the share served. */
  recall: number;
  /** Of all pairs, the share served. */
  hitRate: number;
  falseHits: number;
}

/** Embeds both sides of each pair (in batches) and scores their similarity, with the verifier's say. */
export async function scorePairs(pairs: LabelledPair[], embedder: Embedder, verifier?: HitVerifier, onProgress?: (done: number) => void): Promise<ScoredPair[]> {
  const out: ScoredPair[] = [];
  for (let i = 0; i < pairs.length; i += 256) {
    const chunk = pairs.slice(i, i + 256);
    const vectors = await embedder.embed(chunk.flatMap((p) => [p.a, p.b]));
    chunk.forEach((p, j) =>
      out.push({ similarity: dot(vectors[2 * j]!, vectors[2 * j + 1]!), duplicate: p.duplicate, verified: verifier ? verifier.refusal(p.a, p.b) === null : null }),
    );
    onProgress?.(out.length);
  }
  return out;
}

/** Precision, recall and hit rate at each threshold; `useVerifier` drops the pairs the verifier refused. */
export function thresholdTable(scored: ScoredPair[], thresholds: number[], useVerifier: boolean): ThresholdRow[] {
  const duplicates = scored.filter((s) => s.duplicate).length;
  return thresholds.map((threshold) => {
    const served = scored.filter((s) => s.similarity >= threshold && (!useVerifier || s.verified !== false));
    const right = served.filter((s) => s.duplicate).length;
    return {
      threshold,
      precision: served.length ? right / served.length : 1,
      recall: duplicates ? right / duplicates : 0,
      hitRate: scored.length ? served.length / scored.length : 0,
      falseHits: served.length - right,
    };
  });
}

/** The lowest threshold whose precision meets the target (the most hits at that precision), or null. */
export function recommendThreshold(rows: ThresholdRow[], targetPrecision: number): ThresholdRow | null {
  return [...rows].sort((a, b) => a.threshold - b.threshold).find((r) => r.precision >= targetPrecision && r.hitRate > 0) ?? null;
}

export const DEFAULT_THRESHOLDS = Array.from({ length: 21 }, (_, i) => Math.round((0.5 + i * 0.025) * 1000) / 1000);

export interface PairSplit {
  /** Pairs every tuning choice (embedder features, verifier rules, threshold) may look at. */
  dev: LabelledPair[];
  /** Pairs scored only once, with the choices made on `dev`. */
  heldOut: LabelledPair[];
}

/**
 * Splits labelled pairs into a development half and a held-out half so that no question appears in
 * both: questions are joined into groups (two questions of one pair are in one group, and a question
 * in several pairs joins them all), and a group goes to the held-out half when the sha256 of its
 * first question (lower case, words only, in sort order) is odd. Deterministic: the same file always
 * splits the same way.
 */
export function splitPairsByQuestion(pairs: LabelledPair[]): PairSplit {
  const key = (text: string) => wordsOf(text).join(' ');
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root)!;
    for (let y = x; y !== root; ) {
      const next = parent.get(y)!;
      parent.set(y, root);
      y = next;
    }
    return root;
  };
  for (const p of pairs) {
    for (const k of [key(p.a), key(p.b)]) if (!parent.has(k)) parent.set(k, k);
    const ra = find(key(p.a));
    const rb = find(key(p.b));
    // The smaller text stays the root, so a group's name does not depend on the order of the file.
    if (ra !== rb) parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  }
  const heldOut = (p: LabelledPair) => createHash('sha256').update(find(key(p.a))).digest()[31]! % 2 === 1;
  return { dev: pairs.filter((p) => !heldOut(p)), heldOut: pairs.filter(heldOut) };
}
