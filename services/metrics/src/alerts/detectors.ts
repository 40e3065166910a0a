import type { Histogram } from '../history/metrics-history.js';

/** What a detector found: the measured value, the baseline it was compared with and the bar it crossed. */
export interface Finding {
  value: number;
  baseline: number | null;
  threshold: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median absolute deviation scaled to a standard deviation for normal noise (× 1.4826). */
export function robustSigma(values: readonly number[]): number {
  const m = median(values);
  return 1.4826 * median(values.map((v) => Math.abs(v - m)));
}

const mean = (values: readonly number[]): number => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0);

export interface SpikeOptions {
  /** The level counted as a spike, as a multiple of the baseline median (2 = twice the usual). */
  factor: number;
  /** Standard deviations (robust) above the median the recent level must also reach. */
  sigmas: number;
  /** Baseline minutes with a value needed before the detector speaks. */
  minBaselinePoints: number;
}
export const SPIKE_DEFAULTS: SpikeOptions = { factor: 2, sigmas: 4, minBaselinePoints: 30 };

/**
 * Spike of a per-minute quantity (tokens, cost): the mean of the `recent` minutes against the median
 * and MAD of the `baseline` minutes. Fires when the recent level is consistent with `factor` × the
 * median given the baseline's own noise (`factor·m − 3σ/√n`) and is also `sigmas` robust deviations
 * above it, so a noisy series needs a bigger jump and a steady one cannot fire on noise alone.
 */
export function detectSpike(baseline: readonly number[], recent: readonly number[], options: SpikeOptions = SPIKE_DEFAULTS): Finding | null {
  const points = baseline.filter((v) => v > 0);
  if (points.length < options.minBaselinePoints || recent.length === 0) return null;
  const m = median(baseline);
  if (m <= 0) return null;
  const sigma = robustSigma(baseline);
  const threshold = Math.max(options.factor * m - (3 * sigma) / Math.sqrt(recent.length), m + options.sigmas * sigma, 1.5 * m);
  const value = mean(recent);
  return value >= threshold ? { value, baseline: m, threshold } : null;
}

export interface DriftOptions {
  /** The recent p-quantile must reach this multiple of the baseline's. */
  factor: number;
  percentile: number;
  minRecent: number;
  minBaseline: number;
}
export const DRIFT_DEFAULTS: DriftOptions = { factor: 1.3, percentile: 95, minRecent: 30, minBaseline: 100 };

/**
 * Latency or TTFT drift: the p95 of the recent window (merged histograms) against the p95 of the
 * baseline window. A 1.5× regression clears the 1.3× bar with room for sampling noise; a slow trend
 * over hours moves both windows and stays under it.
 */
export function detectDrift(baseline: Histogram | null, recent: Histogram | null, options: DriftOptions = DRIFT_DEFAULTS): Finding | null {
  if (!baseline || !recent || baseline.totalCount < options.minBaseline || recent.totalCount < options.minRecent) return null;
  const base = baseline.getValueAtPercentile(options.percentile);
  const value = recent.getValueAtPercentile(options.percentile);
  const threshold = options.factor * base;
  return base > 0 && value >= threshold ? { value, baseline: base, threshold } : null;
}

/** Count, sum and sum of squares of scores: enough for a mean and a variance. */
export interface ScoreStats {
  n: number;
  sum: number;
  sumSq: number;
}

export interface QualityOptions {
  /** A recent mean below this fires whatever the baseline. */
  floor: number;
  /** One-sided z (Welch) the drop must reach against the version's own baseline. */
  z: number;
  /** The smallest drop in mean worth an alert, so a huge sample cannot make a trivial drop fire. */
  minDrop: number;
  minRecent: number;
  minBaseline: number;
}
export const QUALITY_DEFAULTS: QualityOptions = { floor: 0.5, z: 3, minDrop: 0.1, minRecent: 20, minBaseline: 30 };

const variance = (s: ScoreStats): number => (s.n > 1 ? Math.max(0, (s.sumSq - (s.sum * s.sum) / s.n) / (s.n - 1)) : 0);

/**
 * Quality drop: the recent mean below `floor` (with `minRecent` scores), or a one-sided Welch test
 * against the same version's earlier scores: z ≤ −`z` and a drop of at least `minDrop`.
 */
export function detectQualityDrop(baseline: ScoreStats, recent: ScoreStats, options: QualityOptions = QUALITY_DEFAULTS): Finding | null {
  if (recent.n < options.minRecent) return null;
  const value = recent.sum / recent.n;
  if (value < options.floor) return { value, baseline: baseline.n ? baseline.sum / baseline.n : null, threshold: options.floor };
  if (baseline.n < options.minBaseline) return null;
  const base = baseline.sum / baseline.n;
  const se = Math.sqrt(variance(baseline) / baseline.n + variance(recent) / recent.n);
  const z = se > 0 ? (value - base) / se : value < base ? -Infinity : 0;
  const threshold = base - options.minDrop;
  return z <= -options.z && value <= threshold ? { value, baseline: base, threshold } : null;
}

/** Events out of a total: blocked requests, cache hits. */
export interface Proportion {
  hits: number;
  total: number;
}

/** Two-proportion z statistic of `recent` against `baseline` (pooled standard error). */
function proportionZ(baseline: Proportion, recent: Proportion): number {
  const pooled = (baseline.hits + recent.hits) / (baseline.total + recent.total);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / baseline.total + 1 / recent.total));
  const diff = recent.hits / recent.total - baseline.hits / baseline.total;
  return se > 0 ? diff / se : diff === 0 ? 0 : Math.sign(diff) * Infinity;
}

export interface RateOptions {
  /** Jump: the recent rate must reach `factor` × the baseline rate (collapse: fall to it). */
  factor: number;
  /** ...and differ from it by at least this much (absolute). */
  minChange: number;
  z: number;
  minRecent: number;
  minBaseline: number;
}
export const BLOCK_RATE_DEFAULTS: RateOptions = { factor: 2, minChange: 0.1, z: 3, minRecent: 30, minBaseline: 100 };
export const HIT_RATE_DEFAULTS: RateOptions = { factor: 0.5, minChange: 0.15, z: 3, minRecent: 30, minBaseline: 100 };

/** Guardrail block-rate jump: a two-proportion z-test plus a minimum relative and absolute rise. */
export function detectRateJump(baseline: Proportion, recent: Proportion, options: RateOptions = BLOCK_RATE_DEFAULTS): Finding | null {
  if (baseline.total < options.minBaseline || recent.total < options.minRecent) return null;
  const base = baseline.hits / baseline.total;
  const value = recent.hits / recent.total;
  const threshold = Math.max(options.factor * base, base + options.minChange);
  return value >= threshold && proportionZ(baseline, recent) >= options.z ? { value, baseline: base, threshold } : null;
}

/** Cache hit-rate collapse: the recent hit rate at or below `factor` × the baseline's, significantly. */
export function detectRateCollapse(baseline: Proportion, recent: Proportion, options: RateOptions = HIT_RATE_DEFAULTS): Finding | null {
  if (baseline.total < options.minBaseline || recent.total < options.minRecent) return null;
  const base = baseline.hits / baseline.total;
  const value = recent.hits / recent.total;
  const threshold = Math.min(options.factor * base, base - options.minChange);
  return base > 0 && value <= threshold && proportionZ(baseline, recent) <= -options.z ? { value, baseline: base, threshold } : null;
}

export interface CountGrowthOptions {
  factor: number;
  /** Fewer events than this in the recent window never fire. */
  minCount: number;
  sigmas: number;
}
export const DLQ_DEFAULTS: CountGrowthOptions = { factor: 3, minCount: 10, sigmas: 5 };

/**
 * DLQ growth: dead letters in the recent minutes against the baseline's rate scaled to the same
 * length; fires above `factor` × expected, `sigmas` Poisson deviations over it and `minCount`.
 */
export function detectCountGrowth(baseline: readonly number[], recent: readonly number[], options: CountGrowthOptions = DLQ_DEFAULTS): Finding | null {
  if (recent.length === 0) return null;
  const expected = baseline.length ? (mean(baseline) * recent.length) : 0;
  const value = recent.reduce((a, b) => a + b, 0);
  const threshold = Math.max(options.minCount, options.factor * expected, expected + options.sigmas * Math.sqrt(Math.max(1, expected)));
  return value >= threshold ? { value, baseline: expected, threshold } : null;
}
