import { Injectable, type BeforeApplicationShutdown, type OnApplicationShutdown } from '@nestjs/common';
import type { LlmResponse } from '#contracts';

/** One registered waiter: release it with `cancel()` as soon as its caller no longer needs it. */
export interface OutcomeWait {
  /** The outcome, or null after the timeout or once cancelled. */
  readonly outcome: Promise<LlmResponse | null>;
  /** Stops waiting: clears the timer, forgets the waiter and resolves `outcome` with null if still open. */
  cancel(): void;
}

/** HTTP callers waiting for their outcome on this replica. */
@Injectable()
export class OutcomeWaiters implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly waiting = new Map<string, Array<(r: LlmResponse | null) => void>>();

  /**
   * Registers a waiter whose `outcome` resolves with the outcome, or null after `timeoutMs`. A
   * caller that stops needing it (a duplicate answered from the ledger, a rejection, an error)
   * must `cancel()` it, or its timer and entry outlive the request by up to `timeoutMs`.
   */
  wait(tenantId: string, requestId: string, timeoutMs: number): OutcomeWait {
    const key = `${tenantId}/${requestId}`;
    let settle: (r: LlmResponse | null) => void = () => {};
    const outcome = new Promise<LlmResponse | null>((resolve) => {
      let settled = false;
      const done = (r: LlmResponse | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const list = this.waiting.get(key)?.filter((w) => w !== done);
        if (list?.length) this.waiting.set(key, list);
        else this.waiting.delete(key);
        resolve(r);
      };
      const timer = setTimeout(() => done(null), timeoutMs);
      this.waiting.set(key, [...(this.waiting.get(key) ?? []), done]);
      settle = done;
    });
    return { outcome, cancel: () => settle(null) };
  }

  deliver(response: LlmResponse): void {
    for (const w of this.waiting.get(`${response.tenantId}/${response.requestId}`) ?? []) w(response);
  }

  /**
   * Waiters still open when the app closes stop waiting (their callers fall back to the ledger).
   * The graceful stop lets the pipeline answer them first; this runs only once its grace is over,
   * and before the HTTP server closes, which would otherwise wait for them until their timeout.
   */
  beforeApplicationShutdown(): void {
    for (const list of [...this.waiting.values()]) for (const w of list) w(null);
  }

  onApplicationShutdown(): void {
    this.beforeApplicationShutdown();
  }
}
