import { Injectable } from '@nestjs/common';
import type { LlmResponse } from '#contracts';

/** HTTP callers waiting for their outcome on this replica. */
@Injectable()
export class OutcomeWaiters {
  private readonly waiting = new Map<string, Array<(r: LlmResponse) => void>>();

  /** Resolves with the outcome, or null after `timeoutMs`. */
  wait(tenantId: string, requestId: string, timeoutMs: number): Promise<LlmResponse | null> {
    const key = `${tenantId}/${requestId}`;
    return new Promise((resolve) => {
      const done = (r: LlmResponse | null) => {
        clearTimeout(timer);
        const list = this.waiting.get(key)?.filter((w) => w !== done);
        if (list?.length) this.waiting.set(key, list);
        else this.waiting.delete(key);
        resolve(r);
      };
      const timer = setTimeout(() => done(null), timeoutMs);
      this.waiting.set(key, [...(this.waiting.get(key) ?? []), done]);
    });
  }

  deliver(response: LlmResponse): void {
    for (const w of this.waiting.get(`${response.tenantId}/${response.requestId}`) ?? []) w(response);
  }
}
