import { z } from 'zod';
import { FinishReason } from './chat.js';
import { CacheOutcome, ErrorInfo, SemanticCacheRef, StageTiming, TokenUsage } from './pipeline.js';
import { Verdict } from './verdict.js';

/**
 * What the judge needs to know about a response: the prompt's judge policy as it applies to this
 * tenant and version, and, when the response may be judged, what was asked (the last user turn as the
 * input guardrail passed it, redactions included) and the caller's reference answer.
 */
export const JudgeRequest = z.object({
  mode: z.enum(['default', 'always', 'never']),
  /** The share of this tenant's responses to judge (the prompt's rate, or its rate for this tenant). */
  sampleRate: z.number().min(0).max(1),
  /** The rubric (`rubrics/<name>.yaml`); absent or null: the heuristic judge. */
  rubric: z.string().nullable().optional(),
  /** `canary`: the candidate of a split; `promoted`: the label moved to it recently. Both are always judged unless the policy says otherwise. */
  rollout: z.enum(['stable', 'canary', 'promoted']).optional(),
  input: z.string().optional(),
  reference: z.string().optional(),
  /** Self-consistency: ask the judge this many times and aggregate (`median` per criterion, or `majority`). */
  samples: z.number().int().min(1).max(9).optional(),
  aggregate: z.enum(['median', 'majority']).optional(),
});
export type JudgeRequest = z.infer<typeof JudgeRequest>;

/** The outcome of one request, as backends read it from `ballast.responses.v1` or their `replyTo` topic. */
export const LlmResponse = z.object({
  requestId: z.string(),
  tenantId: z.string(),
  status: z.enum(['completed', 'blocked', 'failed']),
  content: z.string().nullable(),
  parsed: z.unknown().optional(),
  /**
   * Why the model stopped, in the OpenAI vocabulary (`length`: cut at `maxTokens`); a cache hit
   * reports the stored answer's reason. Absent when `content` is not a model's answer (a fallback,
   * a block, a failure).
   */
  finishReason: FinishReason.optional(),
  source: z.enum(['inference', 'cache', 'fallback']).nullable(),
  cache: CacheOutcome.nullable(),
  /** On a semantic hit: how similar the cached question was (cosine, 0-1). */
  cacheSimilarity: z.number().optional(),
  verdicts: z.array(Verdict),
  usage: TokenUsage.nullable(),
  timings: z.object({
    stages: z.array(StageTiming),
    queueMs: z.number().nonnegative(),
    ttftMs: z.number().nonnegative().nullable(),
    totalMs: z.number().nonnegative(),
  }),
  prompt: z.object({ name: z.string(), version: z.number().int() }).nullable(),
  model: z.string().nullable(),
  error: ErrorInfo.nullable(),
  /** Set by the cache on a miss: where to store this answer once it has passed the output guardrail. */
  cacheStore: z.object({ key: z.string(), ttlSeconds: z.number().int().positive(), semantic: SemanticCacheRef.optional() }).nullable().default(null),
  judge: JudgeRequest,
  replyTo: z.string().optional(),
  metadata: z.record(z.string(), z.string()).default({}),
  completedAt: z.iso.datetime({ offset: true }),
});
export type LlmResponse = z.infer<typeof LlmResponse>;
