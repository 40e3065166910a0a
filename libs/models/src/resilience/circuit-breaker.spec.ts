import { CircuitBreaker, type CircuitBreakerSettings } from './circuit-breaker.js';
import { ManualClock } from './clock.js';

const settings: CircuitBreakerSettings = { failureRateThreshold: 0.5, minimumCalls: 4, windowMs: 10_000, cooldownMs: 5_000, halfOpenProbes: 1 };

function breaker() {
  const clock = new ManualClock(1_000_000);
  const states: string[] = [];
  return { clock, states, cb: new CircuitBreaker(settings, clock, (s) => states.push(s)) };
}

describe('CircuitBreaker', () => {
  it('stays closed below the minimum number of calls, however many fail', () => {
    const { cb } = breaker();
    for (let i = 0; i < 3; i++) {
      expect(cb.tryAcquire()).toBe(true);
      cb.onFailure();
    }
    expect(cb.state).toBe('closed');
  });

  it('opens at the failure rate, rejects during the cool-down, then lets one probe through', async () => {
    const { cb, clock, states } = breaker();
    for (const ok of [true, false, true, false]) {
      cb.tryAcquire();
      if (ok) cb.onSuccess();
      else cb.onFailure();
    }
    expect(cb.state).toBe('open');
    expect(cb.tryAcquire()).toBe(false);
    await clock.advance(4_999);
    expect(cb.tryAcquire()).toBe(false);
    await clock.advance(1);
    expect(cb.state).toBe('half-open');
    expect(cb.tryAcquire()).toBe(true);
    expect(cb.tryAcquire()).toBe(false); // one probe at a time
    cb.onSuccess();
    expect(cb.state).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });

  it('re-opens for another cool-down when the probe fails', async () => {
    const { cb, clock } = breaker();
    for (let i = 0; i < 4; i++) {
      cb.tryAcquire();
      cb.onFailure();
    }
    await clock.advance(5_000);
    expect(cb.tryAcquire()).toBe(true);
    cb.onFailure();
    expect(cb.state).toBe('open');
    await clock.advance(4_000);
    expect(cb.tryAcquire()).toBe(false);
  });

  it('forgets failures older than the window', async () => {
    const { cb, clock } = breaker();
    for (let i = 0; i < 3; i++) {
      cb.tryAcquire();
      cb.onFailure();
    }
    await clock.advance(11_000);
    cb.tryAcquire();
    cb.onFailure();
    expect(cb.totals()).toEqual({ calls: 1, failures: 1 });
    expect(cb.state).toBe('closed');
  });

  it('gives a probe slot back when the call said nothing about the provider', async () => {
    const { cb, clock } = breaker();
    for (let i = 0; i < 4; i++) {
      cb.tryAcquire();
      cb.onFailure();
    }
    await clock.advance(5_000);
    expect(cb.tryAcquire()).toBe(true);
    cb.release();
    expect(cb.tryAcquire()).toBe(true);
  });
});
