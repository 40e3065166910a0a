import { BallastError } from '#contracts';

export interface RetryPolicy {
  /** Handler attempts per delivery, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 5_000 };

/** Full-jitter exponential backoff: spreads retries of many consumers so they do not retry in step. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(random() * ceiling);
}

const TRANSIENT_NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

/** Whether an error is worth retrying: marked transient, a network failure, or a dependency's 408/429/5xx. */
export function isTransient(error: unknown): boolean {
  if (error instanceof BallastError) return error.transient;
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { code?: unknown; status?: unknown; retriable?: unknown };
  if (e.retriable === true) return true;
  if (typeof e.code === 'string' && TRANSIENT_NETWORK_CODES.has(e.code)) return true;
  return typeof e.status === 'number' && (e.status === 408 || e.status === 429 || e.status >= 500);
}
