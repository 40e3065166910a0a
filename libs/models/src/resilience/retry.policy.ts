import type { ProviderCallError } from '../providers/provider-call.error.js';

export interface ProviderRetryPolicy {
  /** Calls per model, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A `Retry-After` longer than this is not waited for: the chain moves to the next model instead. */
  maxRetryAfterMs: number;
}

export const DEFAULT_PROVIDER_RETRY: ProviderRetryPolicy = { maxAttempts: 3, baseDelayMs: 250, maxDelayMs: 8_000, maxRetryAfterMs: 30_000 };

/**
 * How long to wait before calling the same model again, or null to move on. `Retry-After` is
 * honoured as a floor (plus up to 10% jitter so a fleet does not return in step); otherwise
 * "equal jitter" exponential backoff: half the ceiling fixed, half random.
 */
export function retryDelay(attempt: number, error: ProviderCallError, policy: ProviderRetryPolicy, random: () => number = Math.random): number | null {
  if (!error.retryable || attempt >= policy.maxAttempts) return null;
  if (error.retryAfterMs !== undefined) {
    if (error.retryAfterMs > policy.maxRetryAfterMs) return null;
    return Math.ceil(error.retryAfterMs * (1 + random() * 0.1));
  }
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
