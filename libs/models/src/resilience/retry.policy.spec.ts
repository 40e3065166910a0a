import { ProviderCallError } from '../providers/provider-call.error.js';
import { retryDelay, type ProviderRetryPolicy } from './retry.policy.js';

const policy: ProviderRetryPolicy = { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 5_000 };
const http = (status: number, retryAfterMs?: number) => new ProviderCallError('http', `HTTP ${status}`, { status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });

describe('retryDelay', () => {
  it.each([408, 409, 429, 500, 502, 503, 529])('retries HTTP %i', (status) => {
    expect(retryDelay(1, http(status), policy, () => 0.5)).not.toBeNull();
  });

  it.each([400, 401, 403, 404, 422])('does not retry HTTP %i', (status) => {
    expect(retryDelay(1, http(status), policy)).toBeNull();
  });

  it('retries connection errors, stalls and cut streams, but not a passed deadline', () => {
    for (const kind of ['connection', 'stalled', 'truncated'] as const) expect(retryDelay(1, new ProviderCallError(kind, kind), policy)).not.toBeNull();
    expect(retryDelay(1, new ProviderCallError('timeout', 'deadline'), policy)).toBeNull();
  });

  it('waits at least Retry-After, with at most 10% jitter on top', () => {
    expect(retryDelay(1, http(429, 2_000), policy, () => 0)).toBe(2_000);
    expect(retryDelay(1, http(429, 2_000), policy, () => 0.999)).toBeLessThanOrEqual(2_200);
  });

  it('moves on instead of waiting for a Retry-After beyond the limit', () => {
    expect(retryDelay(1, http(429, 60_000), policy)).toBeNull();
  });

  it('backs off exponentially with jitter, capped, and stops after maxAttempts', () => {
    const low = [1, 2, 3, 4, 5].map((a) => retryDelay(a, http(503), { ...policy, maxAttempts: 10 }, () => 0));
    const high = [1, 2, 3, 4, 5].map((a) => retryDelay(a, http(503), { ...policy, maxAttempts: 10 }, () => 1));
    expect(low).toEqual([50, 100, 200, 400, 500]);
    expect(high).toEqual([100, 200, 400, 800, 1_000]);
    expect(retryDelay(3, http(503), policy)).toBeNull();
  });
});
