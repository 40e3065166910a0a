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

/** One judged response, for analysts. */
export const QualityScore = z.object({
  requestId: z.string(),
  tenantId: z.string(),
  promptName: z.string().nullable(),
  promptVersion: z.number().int().nullable(),
  model: z.string().nullable(),
  judge: z.object({ kind: z.enum(['heuristic', 'model']), name: z.string(), rubricVersion: z.string() }),
  score: z.number().min(0).max(1),
  criteria: z.record(z.string(), z.number().min(0).max(1)),
  rationale: z.string(),
  sampleRate: z.number().min(0).max(1),
  judgedAt: z.iso.datetime({ offset: true }),
});
export type QualityScore = z.infer<typeof QualityScore>;

export const Alert = z.object({
  kind: z.enum(['token_spike', 'latency_drift', 'ttft_drift', 'quality_drop', 'block_rate_jump', 'dlq_growth']),
  severity: z.enum(['warning', 'critical']),
  labels: z.record(z.string(), z.string()),
  message: z.string(),
  value: z.number(),
  baseline: z.number().nullable(),
  threshold: z.number(),
  firedAt: z.iso.datetime({ offset: true }),
});
export type Alert = z.infer<typeof Alert>;

/** A change in the prompt registry: ingress and cache react at once. */
export const RegistryEvent = z.object({
  kind: z.enum(['version_published', 'label_moved']),
  name: z.string(),
  version: z.number().int().positive(),
  label: z.string().nullable(),
  fromVersion: z.number().int().positive().nullable(),
  actor: z.string(),
  reason: z.string().nullable(),
});
export type RegistryEvent = z.infer<typeof RegistryEvent>;
