import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { datasetsDir } from '../guardrail/datasets.js';
import { DEFAULT_THRESHOLDS, recommendThreshold, scorePairs, splitPairsByQuestion, thresholdTable, type LabelledPair, type ScoredPair, type ThresholdRow } from '../../services/cache/src/semantic/calibration.js';
import type { Embedder } from '../../services/cache/src/semantic/embedder.js';
import type { HitVerifier } from '../../services/cache/src/semantic/hit.verifier.js';
import { LocalEmbedder } from '../../services/cache/src/semantic/local.embedder.js';
import { MiniLmEmbedder } from '../../services/cache/src/semantic/minilm.embedder.js';
import { hitVerifier } from '../../services/cache/src/semantic/semantic-cache.factory.js';

export type EmbedderChoice = 'local' | 'minilm';

/** The embedder `--embedder` names; the MiniLM model comes from `modelDir` (see `npm run cache:fetch-model`). */
export async function benchEmbedder(choice: EmbedderChoice, modelDir: string): Promise<Embedder> {
  return choice === 'minilm' ? MiniLmEmbedder.load({ modelDir }) : new LocalEmbedder();
}

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
  plain: Picked;
  verified: Picked;
  loose: Picked;
}

interface Picked {
  pick: ThresholdRow | null;
  test: ThresholdRow | null;
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
  /** With the verifier minus its content-word rule (numbers, negation, entities, question words, persons, direction only). */
  loose: ThresholdRow[];
  /** Threshold picked on the development half (precision ≥ target), scored on the held-out half. */
  heldOut: HeldOut[];
  /** On the held-out half (or the whole set). */
  equalRecall: EqualRecall[];
  embedder: string;
  /** CPU of this process per pair: two embeddings (in batches, as calibration does). */
  embedCpuMsPerPair: number;
  /** CPU per pair of one verification (the full verifier). */
  verifyCpuMsPerPair: number;
}

const FINE = Array.from({ length: 201 }, (_, i) => Math.round(i * 5) / 1000);
const sizes = (pairs: LabelledPair[]): SplitSizes => ({ pairs: pairs.length, duplicates: pairs.filter((p) => p.duplicate).length });

interface Scored {
  plain: ScoredPair[];
  verified: ScoredPair[];
  loose: ScoredPair[];
  embedCpuMs: number;
  verifyCpuMs: number;
}

const cpuMs = (before: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
};

async function score(pairs: LabelledPair[], embedder: Embedder, verifier: HitVerifier, loose: HitVerifier): Promise<Scored> {
  let before = process.cpuUsage();
  const plain = await scorePairs(pairs, embedder);
  const embedCpuMs = cpuMs(before);
  before = process.cpuUsage();
  const verified = plain.map((s, i) => ({ ...s, verified: verifier.refusal(pairs[i]!.a, pairs[i]!.b) === null }));
  const verifyCpuMs = cpuMs(before);
  return { plain, verified, loose: plain.map((s, i) => ({ ...s, verified: loose.refusal(pairs[i]!.a, pairs[i]!.b) === null })), embedCpuMs, verifyCpuMs };
}

function equalRecallRows(scored: Scored, thresholds: number[]): EqualRecall[] {
  const verified = thresholdTable(scored.verified, thresholds, true);
  const fine = thresholdTable(scored.plain, FINE, false);
  return verified
    .filter((v) => v.recall > 0)
    .map((v) => ({ verified: v, plain: [...fine].reverse().find((p) => p.recall >= v.recall)! }))
    .filter((r) => r.plain);
}

/**
 * Quality of an embedder with and without hit verification. With `split` (sets with hard
 * negatives, QQP), the pairs are split by question (`splitPairsByQuestion` in calibration.ts): every choice in the
 * local embedder and the verifier was made looking at the development half only, the threshold for each
 * target precision is picked on it, and the figures quoted are the held-out half's.
 */
export async function runQualityBench(
  name: string,
  pairs: LabelledPair[],
  options: { split: boolean; embedder?: Embedder; targets?: number[]; thresholds?: number[] },
): Promise<QualityResult> {
  const { targets = [0.8, 0.85, 0.9], thresholds = DEFAULT_THRESHOLDS, embedder = new LocalEmbedder() } = options;
  const verifier = hitVerifier('full');
  const loose = hitVerifier('no-content-words');
  const tables = (s: Scored) => ({ plain: thresholdTable(s.plain, thresholds, false), verified: thresholdTable(s.verified, thresholds, true), loose: thresholdTable(s.loose, thresholds, true) });
  const perPair = (s: Scored[], n: number) => ({ embedCpuMsPerPair: s.reduce((t, x) => t + x.embedCpuMs, 0) / n, verifyCpuMsPerPair: s.reduce((t, x) => t + x.verifyCpuMs, 0) / n });
  if (!options.split) {
    const all = await score(pairs, embedder, verifier, loose);
    return { name, embedder: embedder.model, ...tables(all), heldOut: [], equalRecall: equalRecallRows(all, thresholds), ...perPair([all], pairs.length) };
  }
  const halves = splitPairsByQuestion(pairs);
  const dev = await score(halves.dev, embedder, verifier, loose);
  const test = await score(halves.heldOut, embedder, verifier, loose);
  const heldOut = (variant: 'plain' | 'verified' | 'loose', target: number): Picked => {
    const useVerifier = variant !== 'plain';
    // The same grid and rule as `ballast cache calibrate` recommends a threshold with.
    const pick = recommendThreshold(thresholdTable(dev[variant], thresholds, useVerifier), target);
    return { pick, test: pick ? thresholdTable(test[variant], [pick.threshold], useVerifier)[0]! : null };
  };
  return {
    name,
    embedder: embedder.model,
    split: { dev: sizes(halves.dev), heldOut: sizes(halves.heldOut) },
    ...tables(test),
    heldOut: targets.map((target) => ({ target, plain: heldOut('plain', target), verified: heldOut('verified', target), loose: heldOut('loose', target) })),
    equalRecall: equalRecallRows(test, thresholds),
    ...perPair([dev, test], pairs.length),
  };
}

export interface EmbeddingCost {
  embedder: string;
  texts: number;
  /** One text per call, as a look-up embeds: wall-clock per call. */
  p50Ms: number;
  p99Ms: number;
  /** CPU of this process (every thread) per text, one text per call. */
  cpuMsPerText: number;
  /** CPU per text when all the texts go in one call (calibration, bulk loads). */
  batchedCpuMsPerText: number;
}

/** What one embedding costs: `texts` distinct questions embedded one per call, then all in one call. */
export async function embeddingCost(embedder: Embedder, texts: string[]): Promise<EmbeddingCost> {
  for (const t of texts.slice(0, 20)) await embedder.embed([`${t} (warm-up)`]);
  const times: number[] = [];
  let before = process.cpuUsage();
  for (const t of texts) {
    const start = performance.now();
    await embedder.embed([t]);
    times.push(performance.now() - start);
  }
  const single = cpuMs(before);
  before = process.cpuUsage();
  await embedder.embed(texts.map((t) => `${t}?`));
  const batched = cpuMs(before);
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  return { embedder: embedder.model, texts: texts.length, p50Ms: at(0.5), p99Ms: at(0.99), cpuMsPerText: single / texts.length, batchedCpuMsPerText: batched / texts.length };
}
