import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { datasetsDir } from '../guardrail/datasets.js';
import { DEFAULT_THRESHOLDS, recommendThreshold, scorePairs, thresholdTable, type LabelledPair, type ThresholdRow } from '../../services/cache/src/semantic/calibration.js';
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
  plain: { pick: ThresholdRow | null; test: ThresholdRow | null };
  verified: { pick: ThresholdRow | null; test: ThresholdRow | null };
}

export interface EqualRecall {
  verified: ThresholdRow;
  /** The plain row with the least recall at or above the verified row's (threshold step 0.005). */
  plain: ThresholdRow;
}

export interface QualityResult {
  name: string;
  plain: ThresholdRow[];
  verified: ThresholdRow[];
  /** Threshold picked on the even rows (precision ≥ target), scored on the odd rows. */
  heldOut: HeldOut[];
  equalRecall: EqualRecall[];
}

const FINE = Array.from({ length: 201 }, (_, i) => Math.round(i * 5) / 1000);

export async function runQualityBench(name: string, pairs: LabelledPair[], targets = [0.8, 0.85, 0.9], thresholds = DEFAULT_THRESHOLDS): Promise<QualityResult> {
  const scored = await scorePairs(pairs, new LocalEmbedder(), new HitVerifier());
  const even = scored.filter((_, i) => i % 2 === 0);
  const odd = scored.filter((_, i) => i % 2 === 1);
  const heldOut = (useVerifier: boolean, target: number) => {
    const pick = recommendThreshold(thresholdTable(even, thresholds, useVerifier), target);
    return { pick, test: pick ? thresholdTable(odd, [pick.threshold], useVerifier)[0]! : null };
  };
  const plain = thresholdTable(scored, thresholds, false);
  const verified = thresholdTable(scored, thresholds, true);
  const fine = thresholdTable(scored, FINE, false);
  const equalRecall = verified
    .filter((v) => v.recall > 0)
    .map((v) => ({ verified: v, plain: [...fine].reverse().find((p) => p.recall >= v.recall)! }))
    .filter((r) => r.plain);
  return {
    name,
    plain,
    verified,
    heldOut: targets.map((target) => ({ target, plain: heldOut(false, target), verified: heldOut(true, target) })),
    equalRecall,
  };
}
