import { createHash } from 'node:crypto';
import type { LlmResponse } from '#contracts';

/** Why a response is judged: its rate, an `always` request, a canary candidate, a newly promoted version. */
export type SampledBy = 'rate' | 'always' | 'canary' | 'promoted';

/** Where a request id falls in [0, 1): the first 32 bits of its sha256, the same in every replica and on redelivery. */
export function sampleBucket(requestId: string): number {
  return createHash('sha256').update(requestId).digest().readUInt32BE(0) / 0x1_0000_0000;
}

/**
 * Whether to judge a response, and why; null to leave it. Deterministic by request id, so every
 * replica (and a redelivery) makes the same choice, and each tenant's sampled share converges to the
 * rate the response carries (the prompt's, or its rate for that tenant: each tenant is its own stratum).
 * A canary candidate and a newly promoted version are judged every time; `never` wins over both.
 */
export function samplingDecision(response: LlmResponse): SampledBy | null {
  if (response.status !== 'completed' || response.judge.mode === 'never') return null;
  if (response.judge.mode === 'always') return 'always';
  if (response.judge.rollout === 'canary' || response.judge.rollout === 'promoted') return response.judge.rollout;
  return sampleBucket(response.requestId) < response.judge.sampleRate ? 'rate' : null;
}
