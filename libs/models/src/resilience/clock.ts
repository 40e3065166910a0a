/** Time for the resilience code: a port, so retry and circuit tests run without waiting. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal!.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.max(0, ms));
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** A clock that only moves when told to; `sleep` resolves when `advance` passes its wake-up time. */
export class ManualClock implements Clock {
  private sleepers: { at: number; resolve: () => void }[] = [];
  /** Every sleep asked for, in order (what a test asserts on). */
  readonly sleeps: number[] = [];

  constructor(private time = 0) {}

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve) => {
      this.sleepers.push({ at: this.time + ms, resolve });
      this.sleepers.sort((a, b) => a.at - b.at);
    });
  }

  /** Moves time on, waking sleepers in order. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    while (this.sleepers.length > 0 && this.sleepers[0]!.at <= target) {
      const next = this.sleepers.shift()!;
      this.time = next.at;
      next.resolve();
      await Promise.resolve();
    }
    this.time = target;
  }
}

/**
 * A clock whose `sleep` returns at once but moves `now` forward: retries with backoff run instantly
 * in tests while the deadline arithmetic still sees the time pass.
 */
export class InstantClock implements Clock {
  readonly sleeps: number[] = [];

  constructor(private time = Date.now()) {}

  now(): number {
    return this.time;
  }

  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.time += ms;
  }

  advance(ms: number): void {
    this.time += ms;
  }
}
