import { createHash } from 'node:crypto';
import type { LabelResolution, PromptVersion } from './prompt-registry.repository.js';

/**
 * Where a request falls in [0, 1): the first 32 bits of sha256(prompt name, request id). Stable
 * across processes and restarts, so a request id always lands on the same side of a split, and
 * salted with the prompt name so one id is not on the canary side of every prompt at once.
 */
export function trafficBucket(promptName: string, requestId: string): number {
  return createHash('sha256').update(promptName).update('\u0000').update(requestId).digest().readUInt32BE(0) / 2 ** 32;
}

/**
 * The version a request gets from a label: the canary candidate for `share` of request ids,
 * the label's own version for the rest.
 *
 * @example chooseVersion(await registry.resolveLabel('support-answer', 'production'), requestId)
 */
export function chooseVersion(resolution: LabelResolution, requestId: string): PromptVersion {
  const { canary } = resolution;
  return canary && trafficBucket(resolution.version.name, requestId) < canary.share ? canary.version : resolution.version;
}
