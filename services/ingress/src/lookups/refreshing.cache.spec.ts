import { RefreshingCache } from './refreshing.cache.js';

/** A look-up that answers only when the test says so: a database connection held by someone else. */
function blockedLookup<V>() {
  const calls: Array<{ resolve: (v: V) => void; reject: (e: unknown) => void }> = [];
  const load = () => new Promise<V>((resolve, reject) => void calls.push({ resolve, reject }));
  return { load, calls };
}

describe('RefreshingCache: request-path look-ups never wait for a busy store once they have a value', () => {
  let clock = 0;
  const cache = () => new RefreshingCache<string | null>({ freshMs: 1_000, maxStaleMs: 10_000, now: () => clock });
  beforeEach(() => {
    clock = 0;
  });

  it('serves an expired value at once while its refresh is blocked, and the refreshed value after', async () => {
    const c = cache();
    await c.get('k', async () => 'v1');
    clock = 5_000;
    const { load, calls } = blockedLookup<string>();
    await expect(c.get('k', load)).resolves.toBe('v1');
    await expect(c.get('k', load)).resolves.toBe('v1');
    expect(calls).toHaveLength(1); // one refresh, however many requests
    calls[0]!.resolve('v2');
    await new Promise((r) => setImmediate(r));
    await expect(c.get('k', load)).resolves.toBe('v2');
  });

  it('keeps the old value when a refresh fails, until it is maxStaleMs old; then a caller waits and sees the failure', async () => {
    const c = cache();
    await c.get('k', async () => 'v1');
    clock = 2_000;
    const failing = () => Promise.reject(new Error('timeout exceeded when trying to connect'));
    await expect(c.get('k', failing)).resolves.toBe('v1');
    await new Promise((r) => setImmediate(r));
    await expect(c.get('k', failing)).resolves.toBe('v1');
    clock = 10_000;
    await expect(c.get('k', failing)).rejects.toThrow('timeout exceeded');
  });

  it('after invalidate, the next caller waits for a fresh look-up (a label move takes effect at once)', async () => {
    const c = cache();
    await c.get('faq\u0000lproduction', async () => 'v1');
    const { load, calls } = blockedLookup<string>();
    clock = 5_000;
    await c.get('faq\u0000lproduction', load); // a background refresh starts, still blocked
    c.invalidate((key) => key.startsWith('faq\u0000'));
    const fresh = c.get('faq\u0000lproduction', async () => 'v2');
    calls[0]!.resolve('v1-late');
    await expect(fresh).resolves.toBe('v2');
    await new Promise((r) => setImmediate(r));
    // The refresh begun before the event does not bring the old version back.
    await expect(c.get('faq\u0000lproduction', async () => 'unused')).resolves.toBe('v2');
  });

  it('shares one look-up among the callers of a key it has no value for, and does not keep a refused value', async () => {
    const c = cache();
    const { load, calls } = blockedLookup<string | null>();
    const waiting = [c.get('k', load, (v) => v !== null), c.get('k', load, (v) => v !== null)];
    expect(calls).toHaveLength(1);
    calls[0]!.resolve(null);
    await expect(Promise.all(waiting)).resolves.toEqual([null, null]);
    await expect(c.get('k', async () => 'now there')).resolves.toBe('now there');
  });
});
