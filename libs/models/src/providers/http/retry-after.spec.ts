import { retryAfterMs } from './retry-after.js';

describe('retryAfterMs', () => {
  it('prefers retry-after-ms, then Retry-After seconds or an HTTP date', () => {
    expect(retryAfterMs({ 'retry-after-ms': '120', 'retry-after': '1' })).toBe(120);
    expect(retryAfterMs({ 'retry-after': '2' })).toBe(2_000);
    const now = Date.parse('2026-11-25T12:00:00Z');
    expect(retryAfterMs({ 'retry-after': 'Wed, 25 Nov 2026 12:00:05 GMT' }, now)).toBe(5_000);
    expect(retryAfterMs({ 'retry-after': 'soon' })).toBeUndefined();
    expect(retryAfterMs({})).toBeUndefined();
  });
});
