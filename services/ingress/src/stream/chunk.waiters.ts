import { Injectable } from '@nestjs/common';
import type { StreamChunk } from '#contracts';

/**
 * The streams this replica holds open, by request: released chunks go to the HTTP responses that
 * wait for them (two clients may stream the same request id: a retry while the first still reads).
 */
@Injectable()
export class ChunkWaiters {
  private readonly open = new Map<string, Set<(chunk: StreamChunk) => void>>();

  /** Registers a stream of a request; call the returned function once the stream is over. */
  listen(tenantId: string, requestId: string, deliver: (chunk: StreamChunk) => void): () => void {
    const key = `${tenantId}/${requestId}`;
    const listeners = this.open.get(key) ?? new Set();
    listeners.add(deliver);
    this.open.set(key, listeners);
    return () => {
      listeners.delete(deliver);
      if (listeners.size === 0 && this.open.get(key) === listeners) this.open.delete(key);
    };
  }

  deliver(tenantId: string, requestId: string, chunk: StreamChunk): void {
    for (const deliver of this.open.get(`${tenantId}/${requestId}`) ?? []) deliver(chunk);
  }

  /** Requests with a stream open on this replica. */
  get size(): number {
    return this.open.size;
  }
}
