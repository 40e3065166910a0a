import { createHash } from 'node:crypto';
import type { LlmResponse } from '#contracts';

/**
 * Whether to judge a response. Deterministic by request id, so every replica (and a redelivery)
 * makes the same choice, and the sampled share converges to the prompt's rate.
 */
export function shouldJudge(response: LlmResponse): boolean {
  if (response.status !== 'completed' || response.judge.mode === 'never') return false;
  if (response.judge.mode === 'always') return true;
  const bucket = createHash('sha256').update(response.requestId).digest().readUInt32BE(0) / 0x1_0000_0000;
  return bucket < response.judge.sampleRate;
}
