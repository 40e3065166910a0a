import { z } from 'zod';
import { CacheOutcome, ErrorInfo, SemanticCacheRef, StageTiming, TokenUsage } from './pipeline.js';
import { Verdict } from './verdict.js';

/** The outcome of one request, as backends read it from `ballast.responses.v1` or their `replyTo` topic. */
export const LlmResponse = z.object({
  requestId: z.string(),
  tenantId: z.string(),
  status: z.enum(['completed', 'blocked', 'failed']),
  content: z.string().nullable(),
  parsed: z.unknown().optional(),
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
  judge: z.object({ mode: z.enum(['default', 'always', 'never']), sampleRate: z.number().min(0).max(1) }),
  replyTo: z.string().optional(),
  metadata: z.record(z.string(), z.string()).default({}),
  completedAt: z.iso.datetime({ offset: true }),
});
export type LlmResponse = z.infer<typeof LlmResponse>;
