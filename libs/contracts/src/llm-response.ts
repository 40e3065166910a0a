import { z } from 'zod';
import { CacheOutcome, ErrorInfo, StageTiming, TokenUsage } from './pipeline.js';
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
  judge: z.enum(['default', 'always', 'never']).default('default'),
  judgeSampleRate: z.number().min(0).max(1).optional(),
  replyTo: z.string().optional(),
  completedAt: z.iso.datetime({ offset: true }),
});
export type LlmResponse = z.infer<typeof LlmResponse>;
