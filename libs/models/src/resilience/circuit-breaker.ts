import type { Clock } from './clock.js';

export interface CircuitBreakerSettings {
  /** Opens when at least this share of calls in the window failed (0–1)... */
  failureRateThreshold: number;
  /** ...and the window holds at least this many calls. */
  minimumCalls: number;
  /** The sliding window over which the failure rate is measured. */
  windowMs: number;
  /** How long an open circuit rejects calls before it lets probes through (half-open). */
  cooldownMs: number;
  /** Probe calls allowed at once while half-open; one success closes, one failure re-opens. */
  halfOpenProbes: number;
}

export const DEFAULT_CIRCUIT: CircuitBreakerSettings = { failureRateThreshold: 0.5, minimumCalls: 10, windowMs: 30_000, cooldownMs: 15_000, halfOpenProbes: 1 };

export type CircuitState = 'closed' | 'open' | 'half-open';

const BUCKETS = 10;

/**
 * A circuit breaker over a time-bucketed sliding window (failures / calls in the last `windowMs`).
 * Call `tryAcquire` before a call and exactly one of `onSuccess`, `onFailure` or `release` after it.
 */
export class CircuitBreaker {
  private readonly calls = new Array<number>(BUCKETS).fill(0);
  private readonly failures = new Array<number>(BUCKETS).fill(0);
  private bucketStart: number[] = new Array<number>(BUCKETS).fill(-1);
  private openedAt: number | null = null;
  private probes = 0;
  private halfOpen = false;

  constructor(
    private readonly settings: CircuitBreakerSettings,
    private readonly clock: Clock,
    private readonly onStateChange?: (state: CircuitState) => void,
  ) {}

  get state(): CircuitState {
    if (this.halfOpen) return 'half-open';
    if (this.openedAt === null) return 'closed';
    return this.clock.now() - this.openedAt >= this.settings.cooldownMs ? 'half-open' : 'open';
  }

  /** Whether a call may go ahead now. A half-open circuit lets `halfOpenProbes` through at a time. */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open') return false;
    if (!this.halfOpen) {
      this.halfOpen = true;
      this.onStateChange?.('half-open');
    }
    if (this.probes >= this.settings.halfOpenProbes) return false;
    this.probes++;
    return true;
  }

  onSuccess(): void {
    if (this.halfOpen) {
      this.close();
      return;
    }
    this.record(false);
  }

  onFailure(): void {
    if (this.halfOpen) {
      this.open();
      return;
    }
    this.record(true);
    const { calls, failures } = this.totals();
    if (this.openedAt === null && calls >= this.settings.minimumCalls && failures / calls >= this.settings.failureRateThreshold) this.open();
  }

  /** The call did not happen or says nothing about the provider (a bad request, our own deadline). */
  release(): void {
    if (this.halfOpen && this.probes > 0) this.probes--;
  }

  /** Calls and failures in the current window (for tests and metrics). */
  totals(): { calls: number; failures: number } {
    const oldest = this.clock.now() - this.settings.windowMs;
    let calls = 0;
    let failures = 0;
    for (let i = 0; i < BUCKETS; i++) {
      if (this.bucketStart[i]! > oldest) {
        calls += this.calls[i]!;
        failures += this.failures[i]!;
      }
    }
    return { calls, failures };
  }

  private record(failed: boolean): void {
    const width = this.settings.windowMs / BUCKETS;
    const now = this.clock.now();
    const slot = Math.floor(now / width);
    const i = slot % BUCKETS;
    const start = slot * width;
    if (this.bucketStart[i] !== start) {
      this.bucketStart[i] = start;
      this.calls[i] = 0;
      this.failures[i] = 0;
    }
    this.calls[i]!++;
    if (failed) this.failures[i]!++;
  }

  private open(): void {
    this.openedAt = this.clock.now();
    this.halfOpen = false;
    this.probes = 0;
    this.onStateChange?.('open');
  }

  private close(): void {
    this.openedAt = null;
    this.halfOpen = false;
    this.probes = 0;
    this.calls.fill(0);
    this.failures.fill(0);
    this.bucketStart = new Array<number>(BUCKETS).fill(-1);
    this.onStateChange?.('closed');
  }
}
