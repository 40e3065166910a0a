import { z } from 'zod';
import { CacheOutcome } from './pipeline.js';
import { Verdict } from './verdict.js';

/** One billable or measurable unit of work: a model call, a judge call, a guardrail pass, a cache hit. */
export const UsageEvent = z.object({
  kind: z.enum(['inference', 'judge', 'guardrail', 'cache']),
  requestId: z.string(),
  tenantId: z.string(),
  promptName: z.string().nullable(),
  promptVersion: z.number().int().nullable(),
  model: z.string().nullable(),
  provider: z.string().nullable(),
  status: z.enum(['ok', 'error', 'blocked']),
  inputTokens: z.number().int().nonnegative().default(0),
  outputTokens: z.number().int().nonnegative().default(0),
  cachedTokens: z.number().int().nonnegative().default(0),
  costUsd: z.number().nonnegative().nullable().default(null),
  estimated: z.boolean().default(false),
  latencyMs: z.number().nonnegative(),
  ttftMs: z.number().nonnegative().nullable().default(null),
  cache: CacheOutcome.nullable().default(null),
  verdicts: z.array(Verdict).default([]),
  errorCode: z.string().nullable().default(null),
  /** Inference: which provider call of the request this is (1-based; retries, fallbacks and re-asks each count). */
  call: z.number().int().positive().optional(),
  /** Inference: time spent waiting for a free slot of the provider (bulkhead) before the call. */
  queueMs: z.number().nonnegative().optional(),
  /** Inference: output tokens per second after the first token; null when it cannot be measured. */
  tokensPerSecond: z.number().nonnegative().nullable().optional(),
  /** Inference: the price table version `costUsd` comes from; a null cost means the model has no price there. */
  priceTableVersion: z.string().optional(),
  /** Inference: what went wrong in a failed call (`http_429`, `timeout`, `stream_truncated`, ...). */
  errorType: z.string().nullable().optional(),
  /** Inference: the call failed after the model had produced output (tokens were spent, the answer was dropped). */
  partial: z.boolean().optional(),
});
export type UsageEvent = z.infer<typeof UsageEvent>;

/** One criterion of a rubric as the judge scored it (1-5, anchored in the rubric file). */
export const CriterionScore = z.object({
  name: z.string(),
  /** `accuracy`, `helpfulness`, `tone`, `safety`, `format` or `custom` (the rubric says). */
  kind: z.string(),
  /** 1-5; with self-consistency the median of the samples may fall on a half. */
  score: z.number().min(1).max(5),
  /** The judge's reason for this score; null when it gave none. */
  rationale: z.string().nullable(),
});
export type CriterionScore = z.infer<typeof CriterionScore>;

/**
 * One judged response, for analysts (`ballast.quality-scores.v1`). `score` and `criteria` are
 * normalised to 0-1 ((s - 1) / 4 for a 1-5 rubric) so every judge and rubric share one scale;
 * `criterionScores` keeps the rubric's own 1-5 scores with the rationale. The fields after `judgedAt`
 * are always set by the judge service; they are optional only for records written before they existed.
 */
export const QualityScore = z.object({
  requestId: z.string(),
  tenantId: z.string(),
  promptName: z.string().nullable(),
  promptVersion: z.number().int().nullable(),
  /** The model that produced the judged answer. */
  model: z.string().nullable(),
  judge: z.object({ kind: z.enum(['heuristic', 'model']), name: z.string(), rubricVersion: z.string() }),
  score: z.number().min(0).max(1),
  criteria: z.record(z.string(), z.number().min(0).max(1)),
  rationale: z.string(),
  sampleRate: z.number().min(0).max(1),
  judgedAt: z.iso.datetime({ offset: true }),
  /** The model that judged; `heuristic` when no judge model is configured (the rule-based fallback). */
  judgeModel: z.string().optional(),
  rubric: z.object({ name: z.string(), version: z.number().int().positive() }).optional(),
  /** `single`: the answer alone; `reference`: against the caller's reference answer. */
  mode: z.enum(['single', 'reference']).optional(),
  criterionScores: z.array(CriterionScore).optional(),
  /** Why this response was judged: its rate, an `always` request, a canary candidate, a newly promoted version. */
  sampledBy: z.enum(['rate', 'always', 'canary', 'promoted']).optional(),
  /** Self-consistency: how many verdicts were aggregated (1 without it). */
  samples: z.number().int().positive().optional(),
  /** What judging this response cost: every judge call, retries included; costUsd null when the judge model has no price. */
  judgeCost: z
    .object({ calls: z.number().int().nonnegative(), inputTokens: z.number().int().nonnegative(), outputTokens: z.number().int().nonnegative(), costUsd: z.number().nonnegative().nullable() })
    .optional(),
});
export type QualityScore = z.infer<typeof QualityScore>;

/**
 * A detector's finding on `ballast.alerts.v1`: `firing` once when it starts (deduplicated by `key`
 * while it lasts), then `resolved` once when the condition clears. Records without `state` are firing.
 */
export const Alert = z.object({
  kind: z.enum(['token_spike', 'latency_drift', 'ttft_drift', 'quality_drop', 'block_rate_jump', 'dlq_growth', 'cost_spike', 'cache_hit_rate_collapse']),
  severity: z.enum(['warning', 'critical']),
  labels: z.record(z.string(), z.string()),
  message: z.string(),
  value: z.number(),
  baseline: z.number().nullable(),
  threshold: z.number(),
  firedAt: z.iso.datetime({ offset: true }),
  state: z.enum(['firing', 'resolved']).default('firing'),
  /** Same for the firing and the resolved record of one alert: kind plus its labels. */
  key: z.string().optional(),
  resolvedAt: z.iso.datetime({ offset: true }).nullable().optional(),
});
export type Alert = z.infer<typeof Alert>;

/** A canary split on a label: `share` (0..1) of requests get `version` instead of the label's own version. */
export const RegistryTraffic = z.object({
  version: z.number().int().positive(),
  share: z.number().gt(0).lt(1),
});
export type RegistryTraffic = z.infer<typeof RegistryTraffic>;

/**
 * A change in the prompt registry: ingress and cache react at once. A label change is always
 * `label_moved` (so consumers written before canaries keep working); `change` says which one and
 * `traffic` is the label's split after it.
 */
export const RegistryEvent = z.object({
  kind: z.enum(['version_published', 'label_moved']),
  name: z.string(),
  /** The version published, or the label's own version after the change. */
  version: z.number().int().positive(),
  label: z.string().nullable(),
  fromVersion: z.number().int().positive().nullable(),
  actor: z.string(),
  reason: z.string().nullable(),
  /** Label changes: `move` (promote), `canary_start` (split set or changed), `canary_finish`, `rollback`. */
  change: z.enum(['move', 'canary_start', 'canary_finish', 'rollback']).optional(),
  /** Label changes: the canary split after the change; null when the label has none. */
  traffic: RegistryTraffic.nullable().optional(),
  /** Label changes: the promotion gate was overridden (`force` with a reason). */
  forced: z.boolean().optional(),
});
export type RegistryEvent = z.infer<typeof RegistryEvent>;
