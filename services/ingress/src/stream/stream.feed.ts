import type { LlmResponse, StreamChunk } from '#contracts';

export type FeedEvent = { kind: 'chunk'; chunk: StreamChunk } | { kind: 'outcome'; outcome: LlmResponse | null } | { kind: 'closed' };

/**
 * What one open stream receives, in order: released chunks by `seq` (a redelivered one is dropped,
 * an early one waits for the gap to fill), the request's outcome, and the client going away.
 */
export class StreamFeed {
  private readonly early = new Map<number, StreamChunk>();
  private next = 0;
  private readonly queue: FeedEvent[] = [];
  private waiting: ((event: FeedEvent | null) => void) | null = null;

  chunk(chunk: StreamChunk): void {
    if (chunk.seq < this.next) return;
    this.early.set(chunk.seq, chunk);
    for (let c = this.early.get(this.next); c; c = this.early.get(this.next)) {
      this.early.delete(this.next++);
      this.push({ kind: 'chunk', chunk: c });
    }
  }

  outcome(outcome: LlmResponse | null): void {
    this.push({ kind: 'outcome', outcome });
  }

  close(): void {
    this.push({ kind: 'closed' });
  }

  /** The next event, or null after `timeoutMs`. */
  take(timeoutMs: number): Promise<FeedEvent | null> {
    const ready = this.queue.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting = null;
        resolve(null);
      }, Math.max(0, timeoutMs));
      this.waiting = (event) => {
        clearTimeout(timer);
        resolve(event);
      };
    });
  }

  private push(event: FeedEvent): void {
    const waiting = this.waiting;
    if (!waiting) {
      this.queue.push(event);
      return;
    }
    this.waiting = null;
    waiting(event);
  }
}
