export interface GroupCommitOptions {
  /** Batches sent and not answered yet; a call made while this many are out waits for the next batch. Default 4. */
  maxInFlight?: number;
  /** Calls sent in one batch at most. Default 500. */
  maxBatchSize?: number;
}

/**
 * Group commit for calls to a database: while fewer than `maxInFlight` batches are out a call is
 * sent at once; otherwise it waits, and the next free slot sends every waiting call (up to
 * `maxBatchSize`) as one batch. `send` must settle every call of its batch and never reject.
 *
 * @example
 * const queue = new GroupCommitQueue<Call>((batch) => this.send(batch), { maxInFlight: 2 });
 * return new Promise((resolve, reject) => queue.submit({ key, resolve, reject }));
 */
export class GroupCommitQueue<C> {
  private readonly maxInFlight: number;
  private readonly maxBatchSize: number;
  private readonly waiting: C[] = [];
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly send: (batch: C[]) => Promise<void>,
    options: GroupCommitOptions = {},
  ) {
    this.maxInFlight = options.maxInFlight ?? 4;
    this.maxBatchSize = options.maxBatchSize ?? 500;
    for (const [name, value] of Object.entries({ maxInFlight: this.maxInFlight, maxBatchSize: this.maxBatchSize })) {
      if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
    }
  }

  submit(call: C): void {
    this.waiting.push(call);
    this.dispatch();
  }

  /** Resolves once no call is waiting or in flight, e.g. before closing the connection at shutdown. */
  idle(): Promise<void> {
    if (this.inFlight === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private dispatch(): void {
    while (this.inFlight < this.maxInFlight && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.maxBatchSize);
      this.inFlight++;
      void this.send(batch).finally(() => {
        this.inFlight--;
        this.dispatch();
        if (this.inFlight === 0 && this.waiting.length === 0) {
          const waiters = this.idleWaiters;
          this.idleWaiters = [];
          waiters.forEach((resolve) => resolve());
        }
      });
    }
  }
}
