import { Injectable } from '@nestjs/common';

const REMEMBERED = 10_000;

/**
 * The streamed model calls running on this replica, by request: a cancel (the client went away)
 * aborts the one it names. A cancel that arrives before its call starts is remembered (the newest
 * 10,000), so the call is aborted as it starts.
 */
@Injectable()
export class StreamCalls {
  private readonly running = new Map<string, AbortController>();
  private readonly cancelled = new Set<string>();

  register(tenantId: string, requestId: string): { signal: AbortSignal; release(): void } {
    const key = `${tenantId}/${requestId}`;
    const controller = new AbortController();
    if (this.cancelled.delete(key)) controller.abort(new Error('the client cancelled the stream'));
    this.running.set(key, controller);
    return {
      signal: controller.signal,
      release: () => {
        if (this.running.get(key) === controller) this.running.delete(key);
      },
    };
  }

  /** True when a call of this replica was running and is now aborted. */
  cancel(tenantId: string, requestId: string): boolean {
    const key = `${tenantId}/${requestId}`;
    const running = this.running.get(key);
    if (running) {
      running.abort(new Error('the client cancelled the stream'));
      return true;
    }
    if (this.cancelled.size >= REMEMBERED) this.cancelled.delete(this.cancelled.values().next().value!);
    this.cancelled.add(key);
    return false;
  }
}
