import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { datasetsDir } from '../guardrail/datasets.js';
import { DEFAULT_THRESHOLDS, recommendThreshold, scorePairs, splitPairsByQuestion, thresholdTable, type LabelledPair, type ScoredPair, type ThresholdRow } from '../../services/cache/src/semantic/calibration.js';
import { HitVerifier } from '../../services/cache/src/semantic/hit.verifier.js';
import { LocalEmbedder } from '../../services/cache/src/semantic/local.embedder.js';

export function qqpPairs(): LabelledPair[] {
  return readFileSync(join(datasetsDir(), 'cache/qqp-pairs-dev.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as LabelledPair);
}

export function gptcachePairs(): LabelledPair[] {
  const rows = JSON.parse(readFileSync(join(datasetsDir(), 'cache/gptcache-mock-pairs.json'), 'utf8')) as { origin: string; similar: string }[];
  return rows.map((r) => ({ a: r.origin, b: r.similar, duplicate: true }));
}

export interface HeldOut {
  target: number;
  /** `pick`: the row the threshold was chosen on (development half); `test`: that threshold on the held-out half. */
  plain: { pick: ThresholdRow | null; test: ThresholdRow | null };
  verified: { pick: ThresholdRow | null; test: ThresholdRow | null };
}

export interface EqualRecall {
  verified: ThresholdRow;
  /** The plain row with the least recall at or above the verified row's (threshold step 0.005). */
  plain: ThresholdRow;
}

export interface SplitSizes {
  pairs: number;
  duplicates: number;
}

export interface QualityResult {
  name: string;
  /** Sizes of the two halves when the set has negatives to tune on (QQP); absent for an all-duplicates set. */
  split?: { dev: SplitSizes; heldOut: SplitSizes };
  /** Per threshold, on the held-out half (or the whole set when there is no split). */
  plain: ThresholdRow[];
  verified: ThresholdRow[];
  /** Threshold picked on the development half (precision ≥ target), scored on the held-out half. */
  heldOut: HeldOut[];
  /** On the held-out half (or the whole set). */
  equalRecall: EqualRecall[];
  /** CPU of this process per pair: two local embeddings and one verification. */
  cpuMsPerPair: number;
}

const FINE = Array.from({ length: 201 }, (_, i) => Math.round(i * 5) / 1000);
const sizes = (pairs: LabelledPair[]): SplitSizes => ({ pairs: pairs.length, duplicates: pairs.filter((p) => p.duplicate).length });

async function score(pairs: LabelledPair[], embedder: LocalEmbedder, verifier: HitVerifier): Promise<{ scored: ScoredPair[]; cpuMs: number }> {
  const before = process.cpuUsage();
  const scored = await scorePairs(pairs, embedder, verifier);
  const used = process.cpuUsage(before);
  return { scored, cpuMs: (used.user + used.system) / 1000 };
}

function equalRecallRows(scored: ScoredPair[], thresholds: number[]): EqualRecall[] {
  const verified = thresholdTable(scored, thresholds, true);
  const fine = thresholdTable(scored, FINE, false);
  return verified
    .filter((v) => v.recall > 0)
    .map((v) => ({ verified: v, plain: [...fine].reverse().find((p) => p.recall >= v.recall)! }))
    .filter((r) => r.plain);
}

/**
 * Quality of the local embedder with and without hit verification. With `split` (sets with hard
 * negatives, QQP), the pairs are split by question (`splitPairsByQuestion` in calibration.ts): every choice in the
 * embedder and verifier was made looking at the development half only, the threshold for each
 * target precision is picked on it, and the figures quoted are the held-out half's.
 */
export async function runQualityBench(name: string, pairs: LabelledPair[], options: { split: boolean; targets?: number[]; thresholds?: number[] }): Promise<QualityResult> {
  const { targets = [0.8, 0.85, 0.9], thresholds = DEFAULT_THRESHOLDS } = options;
  const embedder = new LocalEmbedder();
  const verifier = new HitVerifier();
  if (!options.split) {
    const { scored, cpuMs } = await score(pairs, embedder, verifier);
    return { name, plain: thresholdTable(scored, thresholds, false), verified: thresholdTable(scored, thresholds, true), heldOut: [], equalRecall: equalRecallRows(scored, thresholds), cpuMsPerPair: cpuMs / pairs.length };
  }
  const halves = splitPairsByQuestion(pairs);
  const dev = await score(halves.dev, embedder, verifier);
  const test = await score(halves.heldOut, embedder, verifier);
  const heldOut = (useVerifier: boolean, target: number) => {
    // The same grid and rule as `ballast cache calibrate` recommends a threshold with.
    const pick = recommendThreshold(thresholdTable(dev.scored, thresholds, useVerifier), target);
    return { pick, test: pick ? thresholdTable(test.scored, [pick.threshold], useVerifier)[0]! : null };
  };
  return {
    name,
    split: { dev: sizes(halves.dev), heldOut: sizes(halves.heldOut) },
    plain: thresholdTable(test.scored, thresholds, false),
    verified: thresholdTable(test.scored, thresholds, true),
    heldOut: targets.map((target) => ({ target, plain: heldOut(false, target), verified: heldOut(true, target) })),
    equalRecall: equalRecallRows(test.scored, thresholds),
    cpuMsPerPair: (dev.cpuMs + test.cpuMs) / pairs.length,
  };
}
